"""报送 on a tablet: the office sends a task to every 小学 with a deadline, two principals hand in their
reports, the deadline passes, the office reminds the late schools in one tap (the school's home shows
it) and downloads everything as one zip."""
import io
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import ReportTask, School, SchoolKind

from .conftest import settled, sign_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page, name):
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"{name}.png"), full_page=True)


@pytest.fixture
def tablet(browser, live_server, console):
    """A fresh tablet (its own cookies) for each person who signs in."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN",
                                      accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.on("console", console.on_message)
        page.on("pageerror", lambda error: console.problems.append(f"uncaught: {error}"))
        page.base = live_server
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert console.problems == [], f"browser console errors: {console.problems}"


def primary_schools(live_app) -> list[School]:
    with live_app.app_context():
        return db.session.scalars(select(School).where(School.kind == SchoolKind.PRIMARY, School.active)
                                  .order_by(School.code)).all()


def hand_in(tablet, school: School, filename: str):
    page = tablet()
    sign_in(page, f"xz{school.code}")
    task = page.locator("#report-tasks").get_by_role("link", name="2026年秋季学期督导自查报告")
    expect(task).to_be_visible()
    task.tap()
    page.get_by_label("报送文件（PDF、Word 或 Excel）").set_input_files(
        {"name": filename, "mimeType": "application/pdf", "buffer": PDF + school.code.encode()})
    page.get_by_role("button", name="报送", exact=True).tap()
    expect(page.locator("#handed-in")).to_contain_text(filename)
    expect(page.locator(".facts")).to_contain_text("已报送")
    return page


def test_office_collects_reports_from_the_primary_schools(tablet, live_app, monkeypatch):
    schools = primary_schools(live_app)
    with live_app.app_context():
        today = clock.today()
    first, second, late = schools[0], schools[1], schools[2]

    office = tablet()
    sign_in(office, "admin")
    office.locator("summary", has_text="校务").tap()  # the nav's menu of the year's work with the schools
    office.get_by_role("link", name="报送").tap()
    office.get_by_role("link", name="新建报送任务").tap()
    questions, template = office.get_by_label("表单问题"), office.get_by_label("表格模板（.xlsx）")
    expect(questions).to_be_hidden()  # a file task asks for neither
    expect(template).to_be_hidden()
    office.get_by_label("填写表单").tap()
    expect(questions).to_be_visible()
    office.get_by_label("填报表格").tap()
    expect(template).to_be_visible()
    expect(questions).to_be_hidden()
    office.get_by_label("上传文件").tap()
    office.get_by_label("报送事项").fill("2026年秋季学期督导自查报告")
    due = today + timedelta(days=3)
    office.get_by_label("截止日期").fill(due.isoformat())
    office.get_by_label("要求说明").fill("各校务必于截止日期前报回督导室，PDF 格式，加盖公章。")
    office.get_by_label("学校类型").select_option(label="小学")
    settled(office)
    expect(office.locator("#task-schools legend")).to_contain_text(f"（{len(schools)} 所")
    shot(office, "tasks-new")
    office.get_by_role("button", name="发布报送任务").tap()
    expect(office.locator("h1")).to_have_text("2026年秋季学期督导自查报告")
    expect(office.locator(".tally")).to_contain_text(f"未到期未报 {len(schools)} 所")

    hand_in(tablet, first, "自查报告.pdf")
    shot(hand_in(tablet, second, "督导自查报告（盖章）.pdf"), "tasks-answer")

    # The deadline passes: the county's calendar moves on four days.
    later = today + timedelta(days=4)
    monkeypatch.setattr(clock, "today", lambda now=None: later)
    office.reload()
    waiting = len(schools) - 2
    expect(office.locator(".tally")).to_contain_text(f"逾期未报 {waiting} 所")
    late_row = office.locator("tr", has_text=late.name)
    expect(late_row).to_contain_text("逾期未报")
    office.get_by_role("button", name=f"一键提醒未报送学校（{waiting}）").tap()
    expect(late_row).to_contain_text("今天已提醒")
    expect(office.get_by_role("button", name=f"一键提醒未报送学校（{waiting}）")).to_have_count(0)  # once a day
    shot(office, "tasks-detail")
    with live_app.app_context():
        task = db.session.scalars(select(ReportTask).where(ReportTask.title == "2026年秋季学期督导自查报告")).one()
        assert {a.school.name: a.reminders for a in task.answers} == {
            s.name: 0 if s in (first, second) else 1 for s in schools}

    school = tablet()
    sign_in(school, f"xz{late.code}")
    expect(school.locator("#report-tasks")).to_contain_text("督导室已提醒 1 次")
    expect(school.locator("#report-tasks")).to_contain_text("逾期未报")
    shot(school, "tasks-home-late")

    with office.expect_download() as download:
        office.get_by_role("link", name="下载全部文件（zip）").tap()
    bundle = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert sorted(bundle.namelist()) == sorted([f"{first.code}-{first.name}.pdf", f"{second.code}-{second.name}.pdf"])
    assert bundle.read(f"{second.code}-{second.name}.pdf") == PDF + second.code.encode()
