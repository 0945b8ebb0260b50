"""挂牌督导 on a tablet: the 责任督学 sees a school due a visit on their home, records the visit (a
double tap stores it once), and the flag clears; the office downloads a school's sign as a PDF."""
import io
import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError, expect
from sqlalchemy import delete, func, select

from portal import clock
from portal.extensions import db
from portal.models import School, User, Visit
from portal.visits import schedule

from .conftest import settled, sign_in
from .test_field_use import wait_until_kept
from .test_foundation import sign_in_again

pytestmark = pytest.mark.browser


def shot(page, name):
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"{name}.png"), full_page=True)


def portrait() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (70, 110, 160)).save(out, "JPEG")
    return out.getvalue()


def due_school(live_app) -> tuple[str, int]:
    """duxue1's first school, made due a visit: this semester's visits but one fewer than are owed by
    now, all at its start (or none, early in a semester: never visited)."""
    with live_app.app_context():
        inspector = db.session.scalar(select(User).where(User.username == "duxue1"))
        school = inspector.schools[0]
        db.session.execute(delete(Visit).where(Visit.school_id == school.id))
        today = clock.today()
        term = clock.semester(today)
        for n in range(max(schedule.expected(term, today) - 1, 0)):
            db.session.add(Visit(school_id=school.id, inspector_id=inspector.id, visited_on=term.start + timedelta(days=n),
                                 checked=["safety"], findings="开学检查"))
        db.session.commit()
        return school.name, school.id


def visits_at(live_app, school_id) -> int:
    with live_app.app_context():
        return db.session.scalar(select(func.count()).select_from(Visit).where(Visit.school_id == school_id))


def test_an_inspector_records_a_visit_and_the_school_is_no_longer_due(page, live_app):
    name, school_id = due_school(live_app)
    before = visits_at(live_app, school_id)
    sign_in(page, "duxue1")
    row = page.locator(f'#visits-home tr[data-school="{name}"]')
    expect(row).to_contain_text("应走访")
    shot(page, "visits-home-due")
    row.get_by_role("link", name="记录走访").tap()
    page.wait_for_url("**/visits/new?school=*")
    settled(page)
    expect(page.get_by_label("学校")).to_have_value(str(school_id))
    for duty in ("校园安全", "卫生管理", "学生学业负担"):
        page.locator("label.chip", has_text=duty).tap()
    page.get_by_label("发现情况").fill("查看了食堂留样和晨午检记录，留样记录完整。")
    page.get_by_label("意见建议").fill("雨季注意校舍排查。")
    shot(page, "visits-form")
    page.get_by_role("button", name="保存").dblclick()  # an impatient double tap
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    settled(page)
    expect(page.locator("main")).to_contain_text("查看了食堂留样和晨午检记录")
    expect(page.locator("main")).to_contain_text("学生学业负担、校园安全、卫生管理")
    shot(page, "visits-detail")
    assert visits_at(live_app, school_id) == before + 1  # stored once
    page.goto(page.base + "/")
    settled(page)
    expect(row).to_contain_text("正常")
    expect(row).not_to_contain_text("应走访")
    shot(page, "visits-home-cleared")


def test_an_invalid_visit_shows_the_errors_beside_the_fields(page, live_app, console):
    console.allow(422)
    _, school_id = due_school(live_app)
    before = visits_at(live_app, school_id)
    sign_in(page, "duxue1")
    page.goto(page.base + f"/visits/new?school={school_id}")
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("#field-checked .error")).to_have_text("请至少选择一项本次督导的事项")
    expect(page.locator("#field-findings .error")).to_contain_text("请写明走访发现的情况")
    shot(page, "visits-form-errors")
    assert visits_at(live_app, school_id) == before


def test_the_office_downloads_a_schools_sign(page, live_app, tmp_path):
    with live_app.app_context():
        school = db.session.scalar(select(School).order_by(School.code))
        name, school_id = school.name, school.id
    sign_in(page, "admin")
    page.goto(page.base + "/visits/signs")
    settled(page)
    expect(page.locator("main")).to_contain_text("周正清")
    shot(page, "visits-signs")
    # 周正清's portrait (the first school is in their 责任区): uploaded through the page, printed on the sign
    page.locator("tr", has_text="周正清").get_by_role("link", name="上传").tap()
    page.get_by_label("照片").set_input_files(files=[{"name": "周正清.jpg", "mimeType": "image/jpeg", "buffer": portrait()}])
    page.get_by_role("button", name="上传照片").tap()
    expect(page.get_by_role("img", name="周正清的照片")).to_be_visible()
    shot(page, "visits-portrait")
    page.goto(page.base + "/visits/signs")
    link = page.get_by_role("link", name=name, exact=True).first
    href = link.get_attribute("href")
    assert href.endswith(f"/visits/signs/{school_id}.pdf")
    response = page.request.get(page.base + href)  # the page's session
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "sign.pdf"
    pdf.write_bytes(response.body())
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout.split())
    assert "责任督学挂牌督导公示牌" in text and name in text and "周正清" in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert len(images.strip().splitlines()) == 2 + 1  # pdfimages' two header lines, then the portrait
    if os.environ.get("SHOTS_DIR"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(Path(os.environ["SHOTS_DIR"]) / "sign")],
                       check=True)


# The visit form on the browser outbox: what the 责任督学 typed at the school reaches the server once,
# or stays visibly queued on the tablet (weak Wi-Fi, lost replies, a busy server, a session that ended).

def open_visit_form(page, live_app) -> int:
    _, school_id = due_school(live_app)
    sign_in(page, "duxue1")
    page.goto(page.base + f"/visits/new?school={school_id}")
    settled(page)
    return school_id


def type_visit(page, findings: str, duties=("校园安全", "卫生管理")):
    for duty in duties:
        page.locator("label.chip", has_text=duty).tap()
    page.get_by_label("发现情况").fill(findings)


def stored(live_app, school_id: int) -> list[tuple[str, list[str]]]:
    """The school's visits recorded today (the due_school ones are all earlier), as (findings, duties)."""
    with live_app.app_context():
        rows = db.session.scalars(select(Visit).where(Visit.school_id == school_id, Visit.visited_on == clock.today())
                                  .order_by(Visit.id))
        return [(v.findings, v.checked) for v in rows]


def back_online(page, context):
    context.set_offline(False)
    try:
        page.evaluate("window.dispatchEvent(new Event('online'))")
    except PlaywrightError as error:  # Chromium said so first: the saved visit's page is already opening
        if "context was destroyed" not in str(error):
            raise


def synced(page):
    expect(page.locator("[data-sync-status]")).to_be_hidden(timeout=20_000)


def test_two_visits_recorded_offline_wait_on_the_tablet_and_both_arrive(page, context, live_app, console):
    console.allow_network_failures()
    school_id = open_visit_form(page, live_app)
    context.set_offline(True)
    expect(page.get_by_role("button", name="记录下一次走访")).to_be_hidden()  # nothing waits yet
    type_visit(page, "上午走访：食堂留样完整。")
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    expect(page.locator("form.visit-form")).to_contain_text("未同步（已保存在本机）")
    page.get_by_role("button", name="记录下一次走访").tap()
    expect(page.get_by_label("发现情况")).to_have_value("")  # a blank form for the next visit…
    expect(page.get_by_label("学校")).to_have_value(str(school_id))
    expect(page.locator("[data-pending-lines] li")).to_have_count(1)  # …and the first one listed as waiting
    expect(page.locator("[data-pending-lines] li")).to_contain_text("走访（未同步）")
    type_visit(page, "下午走访：晨检台账补齐。", duties=("学生学业负担",))
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("[data-sync-status]")).to_have_text("2 条未同步")
    shot(page, "visits-queued-offline")
    assert stored(live_app, school_id) == []
    back_online(page, context)
    page.wait_for_url(re.compile(r"/visits/\d+$"))  # the visit the form showed, saved: its page, for photos
    expect(page.locator("main")).to_contain_text("下午走访：晨检台账补齐。")
    assert stored(live_app, school_id) == [("上午走访：食堂留样完整。", ["safety", "hygiene"]),
                                           ("下午走访：晨检台账补齐。", ["workload"])]


def save_through(page, live_app, handler, findings: str) -> int:
    """Record a visit with `handler` between the tablet and the server; the visit's page opens."""
    school_id = open_visit_form(page, live_app)
    page.route(re.compile(r"/visits/new$"), handler)
    type_visit(page, findings)
    page.get_by_role("button", name="保存").tap()
    page.wait_for_url(re.compile(r"/visits/\d+$"), timeout=20_000)
    expect(page.locator("main")).to_contain_text(findings)
    return school_id


def test_a_visit_whose_reply_was_lost_is_stored_once(page, live_app, console):
    console.allow_network_failures()
    sent = []

    def lose_first_reply(route):
        if route.request.method == "POST":
            sent.append(parse_qs(route.request.post_data)["key"])
        if route.request.method == "POST" and len(sent) == 1:
            route.fetch()  # the server stores it; the tablet never hears back
            route.abort()
        else:
            route.continue_()
    school_id = save_through(page, live_app, lose_first_reply, "回复丢失的一次走访")
    assert len(sent) == 2 and sent[0] == sent[1]  # sent again by itself, as the same visit
    assert stored(live_app, school_id) == [("回复丢失的一次走访", ["safety", "hygiene"])]


def test_a_visit_answered_500_is_sent_again_and_stored_once(page, live_app, console):
    console.allow(500)
    failed = []

    def busy_once(route):
        if route.request.method == "POST" and not failed:
            failed.append(1)
            route.fulfill(status=500, body="")
        else:
            route.continue_()
    school_id = save_through(page, live_app, busy_once, "服务器忙时的一次走访")
    assert failed and stored(live_app, school_id) == [("服务器忙时的一次走访", ["safety", "hygiene"])]


def test_a_visit_saved_after_the_session_ended_arrives_after_signing_in_again(page, context, live_app, console):
    console.allow(401)
    school_id = open_visit_form(page, live_app)
    type_visit(page, "登录过期后保存的走访")
    context.clear_cookies()  # the session ends while the inspector types
    page.get_by_role("button", name="保存").tap()
    sign_in_again(page)
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    expect(page.locator("main")).to_contain_text("登录过期后保存的走访")
    assert stored(live_app, school_id) == [("登录过期后保存的走访", ["safety", "hygiene"])]


def refused_visit(page, context, live_app, console, typing_next: str = "") -> int:
    """A visit saved offline with no 督导事项 ticked, the next begun (`typing_next` typed into it), back
    online: the server refuses the first. Its school's id."""
    console.allow(422)
    console.allow_network_failures()
    school_id = open_visit_form(page, live_app)
    context.set_offline(True)
    type_visit(page, "漏选督导事项的走访", duties=())
    page.get_by_role("button", name="保存").tap()
    page.get_by_role("button", name="记录下一次走访").tap()
    expect(page.get_by_role("button", name="记录下一次走访")).to_be_hidden()  # the blank form has nothing waiting
    if typing_next:
        page.get_by_label("发现情况").fill(typing_next)
    back_online(page, context)
    return school_id


def test_a_visit_queued_then_refused_stays_visible_with_the_reason(page, context, live_app, console):
    school_id = refused_visit(page, context, live_app, console)
    refused = page.locator("main li", has_text="未能保存")
    expect(refused).to_have_count(1)  # once, in the list of this form's visits (not again in the page's panel)
    expect(refused).to_contain_text("未能保存：督导事项：请至少选择一项本次督导的事项")
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    shot(page, "visits-queued-refused")
    page.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button", name="放弃此条").tap()
    synced(page)
    assert stored(live_app, school_id) == []


def test_a_refused_visit_goes_back_into_the_form_to_be_put_right(page, context, live_app, console):
    """What was typed for a refused visit is not retyped: it goes back into the form, stays in the
    outbox until saved again (a reload lists it again), and is stored once when put right."""
    school_id = refused_visit(page, context, live_app, console, typing_next="正在记的下一次走访")  # not saved anywhere yet
    refused = page.locator("main li", has_text="未能保存")
    expect(refused).to_contain_text("督导事项：请至少选择一项本次督导的事项")
    refused.get_by_role("button", name="放回表单修改").tap()
    expect(page.locator(".toast")).to_contain_text("请先保存或清空它")
    expect(page.get_by_label("发现情况")).to_have_value("正在记的下一次走访")  # never typed over

    page.get_by_label("发现情况").fill("")
    page.locator("label.chip", has_text="卫生管理").tap()  # a tick is typing too
    refused.get_by_role("button", name="放回表单修改").tap()
    expect(page.get_by_label("卫生管理")).to_be_checked()
    page.locator("label.chip", has_text="卫生管理").tap()
    refused.get_by_role("button", name="放回表单修改").tap()
    form = page.locator("form.visit-form")
    expect(page.get_by_label("发现情况")).to_have_value("漏选督导事项的走访")
    expect(page.get_by_label("学校")).to_have_value(str(school_id))
    expect(form).to_contain_text("未能保存：督导事项：请至少选择一项本次督导的事项")
    expect(page.locator("main li", has_text="未能保存")).to_have_count(0)  # in the form now, not a line
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    shot(page, "visits-refused-back-in-form")

    page.reload()  # left before putting it right: still on the tablet, listed again
    settled(page)
    refused = page.locator("main li", has_text="未能保存")
    expect(refused).to_have_count(1)
    refused.get_by_role("button", name="放回表单修改").tap()
    expect(page.get_by_label("发现情况")).to_have_value("漏选督导事项的走访")
    page.locator("label.chip", has_text="校园安全").tap()
    page.get_by_role("button", name="保存").tap()
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    expect(page.locator("main")).to_contain_text("漏选督导事项的走访")
    assert stored(live_app, school_id) == [("漏选督导事项的走访", ["safety"])]


def test_a_visit_typed_offline_survives_a_reload_without_network(page, context, live_app, console):
    console.allow_network_failures()
    school_id = open_visit_form(page, live_app)
    page.reload()  # the worker, installed on the way here, now keeps this page
    wait_until_kept(page)
    settled(page)
    context.set_offline(True)
    type_visit(page, "断网后刷新的走访")
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    page.reload()  # offline: the kept page, a blank form under a new key, the visit listed as waiting
    expect(page.locator("[data-pending-lines] li")).to_contain_text("走访（未同步）")
    expect(page.get_by_label("发现情况")).to_have_value("")
    expect(page.get_by_label("学校")).to_have_value("")  # the plain page kept: no school chosen for them
    page.get_by_label("学校").select_option(str(school_id))
    type_visit(page, "刷新后又记的一次走访", duties=("学生学业负担",))
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("[data-sync-status]")).to_have_text("2 条未同步")
    back_online(page, context)
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    assert stored(live_app, school_id) == [("断网后刷新的走访", ["safety", "hygiene"]),
                                           ("刷新后又记的一次走访", ["workload"])]


def test_an_edit_saved_offline_is_sent_when_back_online(page, context, live_app, console):
    console.allow_network_failures()
    school_id = open_visit_form(page, live_app)
    type_visit(page, "先记下的走访")
    page.get_by_role("button", name="保存").tap()
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    page.get_by_role("link", name="修改").tap()
    page.wait_for_url(re.compile(r"/visits/\d+/edit$"))
    settled(page)
    context.set_offline(True)
    page.get_by_label("发现情况").fill("改过的走访记录")
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    back_online(page, context)
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    expect(page.locator("main")).to_contain_text("改过的走访记录")
    assert stored(live_app, school_id) == [("改过的走访记录", ["safety", "hygiene"])]
