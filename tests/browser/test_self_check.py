"""学校自查 on a tablet: the office asks a school, its principal fills the checklist (one save made while the
Wi-Fi is gone), attaches the 自查报告 and hands it in; the school's 责任督学 then inspects and sees the school's
score beside their own, the differences marked."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import Answer, Inspection, InspectionStatus, Role, School, SelfCheck, User

from .conftest import settled, sign_in

SCHOOL, TEMPLATE = "城东第二小学", "学校综合督导检查表"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def tablet(browser, live_server, console):
    """Another person's tablet (its own cookies and outbox)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.on("console", console.on_message)
    page.on("pageerror", lambda error: console.problems.append(f"uncaught: {error}"))
    page.base = live_server
    return context, page


def score(page, index: int, value: str, note: str | None = None):
    item = page.locator(".sheet-item").nth(index)
    item.get_by_label("得分").fill(value)
    if note is not None:
        item.get_by_label("说明").fill(note)
    item.get_by_label("得分").press("Tab")


def test_a_school_self_inspects_and_the_inspector_sees_both_scores(page, browser, live_server, live_app, console, tmp_path):
    console.allow(422)  # 上报 before the report is attached
    console.allow_network_failures()  # the principal's Wi-Fi drops for one save
    with live_app.app_context():
        school = db.session.scalar(select(School).where(School.name == SCHOOL))
        principal = db.session.scalar(select(User).where(User.school_id == school.id, User.role == Role.PRINCIPAL))
        inspector = next(u for u in db.session.scalars(select(User).where(User.role == Role.INSPECTOR))
                         if school in u.schools)  # its 责任督学
        due = clock.today() + timedelta(days=3)
        logins, school_id, inspector_id = (principal.username, inspector.username), school.id, inspector.id

    # The office asks the school.
    sign_in(page, "admin")
    page.locator("summary", has_text="校务").tap()  # the nav's menu of the year's work with the schools
    page.get_by_role("link", name="学校自查").tap()
    page.get_by_role("link", name="通知一所学校自查").tap()
    settled(page)
    page.get_by_label("学校").select_option(label=SCHOOL)
    page.get_by_label("检查表").select_option(label=f"{TEMPLATE}（第 1 版）")
    page.get_by_label("上报截止日期").fill(due.isoformat())
    page.get_by_role("button", name="通知自查").tap()
    page.wait_for_url(re.compile(r"/self-checks/\d+$"))
    check_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("main h1")).to_contain_text(f"{SCHOOL} · 学校自查")

    # The principal fills it in on their tablet.
    school_context, school_page = tablet(browser, live_server, console)
    sign_in(school_page, logins[0])
    school_page.locator("summary", has_text="校务").tap()
    school_page.get_by_role("link", name="学校自查").tap()
    school_page.locator(f"a[href$=\"/self-checks/{check_id}\"]").tap()  # the one just asked (the demo may have another)
    school_page.get_by_role("link", name="填写自查表").tap()
    school_page.wait_for_url(re.compile(r"/inspections/\d+/fill$"))
    settled(school_page)
    expect(school_page.get_by_role("button", name="上报自查结果")).to_be_visible()
    items = school_page.locator(".sheet-item")
    count = items.count()
    maxima = [int(re.search(r"(\d+) 分", items.nth(i).locator(".item-max").inner_text())[1]) for i in range(count)]
    score(school_page, 0, str(maxima[0]), "办学章程已修订并公示")
    expect(items.nth(0).locator(".saved")).to_be_visible()
    expect(school_page.locator("[data-sync-status]")).to_be_hidden()  # the note too, sent after the score
    school_context.set_offline(True)  # one save while the Wi-Fi is gone: kept on the tablet
    score(school_page, 1, str(maxima[1]), "校务公开栏按月更新")
    expect(school_page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    school_context.set_offline(False)
    expect(school_page.locator("[data-sync-status]")).to_be_hidden(timeout=20_000)
    for index in range(2, count):
        score(school_page, index, str(maxima[index]))
    expect(school_page.locator(".saved")).to_have_count(count, timeout=30_000)  # saves go one after another
    expect(school_page.locator("#sheet-summary")).to_contain_text(f"已答 {count}/{count}")
    school_page.screenshot(path=str(tmp_path / "self-check-fill.png"), full_page=False)

    school_page.get_by_role("button", name="上报自查结果").tap()  # no report yet
    expect(school_page.locator("#blockers")).to_contain_text("自查报告：尚未上传")
    school_page.get_by_role("link", name="自查报告与人员").tap()
    school_page.wait_for_url(re.compile(rf"/self-checks/{check_id}$"))
    settled(school_page)
    school_page.screenshot(path=str(tmp_path / "self-check-before-report.png"), full_page=True)
    school_page.locator("#report input[type=file]").set_input_files(
        files=[{"name": "城东第二小学自查报告.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    expect(school_page.locator("#files")).to_contain_text("城东第二小学自查报告.pdf")
    school_page.get_by_role("button", name="上报自查结果").tap()
    expect(school_page.get_by_text("已上报", exact=True)).to_be_visible()
    school_page.screenshot(path=str(tmp_path / "self-check-detail.png"), full_page=True)
    school_context.close()
    with live_app.app_context():
        handed_in = db.session.get(SelfCheck, check_id).inspection
        assert handed_in.status is InspectionStatus.SUBMITTED and handed_in.percent == 100
        notes = {a.note for a in db.session.scalars(select(Answer).where(Answer.inspection_id == handed_in.id))}
        assert {"办学章程已修订并公示", "校务公开栏按月更新"} <= notes

    # The school's 责任督学 inspects it with the same checklist.
    inspector_context, inspector_page = tablet(browser, live_server, console)
    sign_in(inspector_page, logins[1])
    inspector_page.goto(live_server + "/inspections/new")
    inspector_page.get_by_label("学校").select_option(label=SCHOOL)
    inspector_page.get_by_label("检查表").select_option(label=f"{TEMPLATE}（第 1 版）")
    inspector_page.get_by_role("button", name="开始检查").tap()
    inspector_page.wait_for_url(re.compile(r"/inspections/\d+/fill$"))
    settled(inspector_page)
    expect(inspector_page.locator(".self-total")).to_contain_text("学校自查")
    inspector_page.screenshot(path=str(tmp_path / "self-check-official-top.png"), full_page=False)
    first = inspector_page.locator(".sheet-item").nth(0)
    expect(first.locator(".self-score")).to_contain_text(f"{maxima[0]} 分")
    expect(first.locator(".self-score")).to_contain_text("办学章程已修订并公示")
    expect(inspector_page.locator(".self-score.differs")).to_have_count(0)  # nothing scored yet: nothing to mark
    score(inspector_page, 0, "1", "章程未按新要求修订")  # far below the school's own score
    expect(first.locator(".self-score.differs")).to_contain_text("与本次评定差异较大")
    score(inspector_page, 1, str(maxima[1]))  # the same as the school's
    expect(inspector_page.locator(".sheet-item").nth(1).locator(".saved")).to_be_visible()
    expect(inspector_page.locator(".sheet-item").nth(1).locator(".self-score")).not_to_have_class(re.compile("differs"))
    expect(inspector_page.locator(".self-score.differs")).to_have_count(1)
    first.scroll_into_view_if_needed()
    inspector_page.screenshot(path=str(tmp_path / "self-check-beside.png"), full_page=False)
    inspector_context.close()
    with live_app.app_context():
        official = db.session.scalar(select(Inspection).where(Inspection.inspector_id == inspector_id)
                                     .order_by(Inspection.id.desc()))
        assert not official.is_self_check and official.school_id == school_id
