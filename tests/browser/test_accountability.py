"""督办 on a tablet: an item left overdue (the clock moved on) gets one 督办通知 however often the daily
command runs; the principal finds it in the inbox and signs for it; the leader finds the item on the
home page with its school, inspectors and days overdue; the office records a 问责 action."""
import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import (Accountability, Document, DocumentKind, RectificationItem, School, User, document_rectification,
                           utcnow)

from .conftest import demo_app, serving, settled, sign_in

pytestmark = pytest.mark.browser
SCHOOL = 12  # a demo school without demo items (its code 360013); 郑国华 (duxue3) is its 责任督学


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """A demo county of this module's own: moving the clock escalates every demo item overdue by then,
    which the other browser tests must not find in their inboxes."""
    app = demo_app(tmp_path_factory.mktemp("duban"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_app):
    with serving(live_app) as url:
        yield url


def shot(page, name):
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"{name}.png"), full_page=True)


def tablet(browser, live_server, console):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.on("console", console.on_message)
    page.base = live_server
    return page


def test_an_overdue_item_is_escalated_once_signed_for_and_put_before_the_leaders(page, live_app, live_server, browser,
                                                                                 console, monkeypatch):
    leader_days = live_app.config["DUBAN_LEADER_DAYS"]
    with live_app.app_context():
        school = db.session.scalar(select(School).where(School.code == f"36{SCHOOL + 1:04d}"))
        verifier = db.session.scalar(select(User).where(User.username == "duxue3"))
        assert school in verifier.schools
        item = RectificationItem(school=school, problem="学校图书室藏书登记不全，借阅记录缺失。", requirement="补全图书登记，建立借阅台账。",
                                 due_date=clock.today(), inspector_id=verifier.id)
        db.session.add(item)
        db.session.commit()
        item_id, school_id, school_name, principal = item.id, school.id, school.name, f"xz{school.code}"
    # The county's calendar moves on: the item is overdue past both rules' days.
    later = utcnow() + timedelta(days=leader_days + 1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    runner = live_app.test_cli_runner()
    for _ in range(2):  # the cron runs the command every day; a second run on the same day adds nothing
        result = runner.invoke(args=["duban", "run"])
        assert result.exit_code == 0, result.output
    with live_app.app_context():
        notices = db.session.scalars(select(Document).join(document_rectification).where(
            document_rectification.c.rectification_id == item_id, Document.kind == DocumentKind.ORDER)).all()
        assert len(notices) == 1
        number = notices[0].number

    sign_in(page, principal)
    inbox = page.locator(".doc-inbox")
    notice = inbox.get_by_role("link", name=f"{number} 关于督促{school_name}限期完成整改的督办通知")
    expect(notice).to_be_visible()
    expect(inbox.locator("li").filter(has_text=number).get_by_text("待签收")).to_be_visible()
    notice.tap()
    expect(page.get_by_role("heading", name="督办的整改事项（1）")).to_be_visible()
    expect(page.get_by_text("督办期限")).to_be_visible()
    shot(page, "duban-received")
    page.get_by_role("button", name="签收").tap()
    expect(page.locator("#receipt").get_by_text("已签收")).to_be_visible()
    settled(page)
    shot(page, "duban-signed")

    leader = tablet(browser, live_server, console)
    sign_in(leader, "juzhang")
    row = leader.locator("#escalated tr", has_text="学校图书室藏书登记不全")
    expect(row).to_be_visible()
    expect(row).to_contain_text(school_name)
    expect(row).to_contain_text("郑国华")
    expect(row).to_contain_text(f"{leader_days + 1} 天")
    shot(leader, "duban-leader-home")
    leader.context.close()

    office = tablet(browser, live_server, console)
    console.allow(422)
    sign_in(office, "admin")
    office.goto(f"{live_server}/accountability/school/{school_id}/new")
    office.get_by_text("约谈", exact=True).tap()
    office.get_by_role("button", name="保存").tap()
    expect(office.locator("#field-reason .error")).to_have_text("请写明问责事由")  # beside the field, nothing saved
    settled(office)
    shot(office, "duban-record-invalid")
    office.get_by_label("事由").fill("督办通知逾期仍未整改，约谈校长。")
    office.get_by_label("学校图书室藏书登记不全", exact=False).check()
    office.get_by_role("button", name="保存").tap()
    office.wait_for_url(f"**/accountability/school/{school_id}")
    expect(office.get_by_text("督办通知逾期仍未整改，约谈校长。")).to_be_visible()
    shot(office, "duban-school-history")
    office.goto(f"{live_server}/accountability/")
    shot(office, "duban-index")
    office.context.close()
    with live_app.app_context():
        entry = db.session.scalar(select(Accountability).where(Accountability.school_id == school_id))
        assert entry.measure.value == "约谈" and [i.id for i in entry.items] == [item_id]
        assert entry.taken_on == clock.today()  # the form's default: the county's (moved) today
