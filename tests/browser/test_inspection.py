"""An inspector's inspection on a tablet: tapping answers, a stretch offline, photo evidence, submit."""
import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Answer, AuditLog, Inspection, InspectionStatus, Photo

from .conftest import settled, sign_in

YES = re.compile(r"^\s*是\s*$")
NO = re.compile(r"^\s*否\s*$")
ITEM = ".sheet-item:not(.kind-na)"  # an item this school answers (not one its kind is N/A for)


def start(page, school_index: int, template: str = "五项管理") -> int:
    page.goto(page.base + "/inspections/new")
    page.get_by_label("学校").select_option(index=school_index)
    version = page.locator("#version option", has_text=template).get_attribute("value")
    page.get_by_label("检查表").select_option(version)
    page.get_by_role("button", name="开始检查").tap()
    page.wait_for_url(re.compile(r"/inspections/\d+/fill$"))
    settled(page)
    return int(re.search(r"/inspections/(\d+)/fill", page.url).group(1))


def tap(page, index: int, choice=YES):
    page.locator(ITEM).nth(index).locator("label.chip").filter(has_text=choice).tap()


def answers(live_app, inspection_id):
    with live_app.app_context():
        return db.session.scalars(select(Answer).where(Answer.inspection_id == inspection_id)).all()


def test_tapping_answers_updates_subtotals(page, live_app):
    sign_in(page, "duxue1")
    inspection = start(page, 1)
    for index in range(3):
        tap(page, index)
        expect(page.locator(ITEM).nth(index).locator(".saved")).to_be_visible()
    # A 小学: 作业's three primary rules (the 初中 one is N/A there), 5 points each.
    expect(page.locator(".section-stats").first).to_contain_text("已答 3/3 · 15 / 15 分")
    expect(page.locator("#sheet-summary")).to_contain_text("已答 3/17")
    tap(page, 3, NO)  # 睡眠's first rule
    expect(page.locator(".section-stats").nth(1)).to_contain_text("已答 1/3 · 0 / 20 分")
    assert sorted(a.value for a in answers(live_app, inspection)) == ["否", "是", "是", "是"]


def test_answers_given_offline_survive_closing_the_tab_and_arrive_once(page, context, live_app, console):
    console.allow_network_failures()  # the test cuts the network
    sign_in(page, "duxue1")
    inspection = start(page, 2)
    context.set_offline(True)
    for index in range(5):
        tap(page, index, YES if index != 2 else NO)
    expect(page.locator("[data-sync-status]")).to_have_text("5 条未同步")
    expect(page.get_by_role("button", name="提交检查")).to_be_disabled()
    assert answers(live_app, inspection) == []
    page.close()  # the tab is closed while still offline

    context.set_offline(False)
    again = context.new_page()
    again.goto(page.base + f"/inspections/{inspection}/fill")
    expect(again.locator("[data-sync-status]")).to_be_hidden()
    expect(again.locator(".saved")).to_have_count(5)
    expect(again.locator("#sheet-summary")).to_contain_text("已答 5/17")
    saved = answers(live_app, inspection)
    assert sorted(a.value for a in saved) == ["否", "是", "是", "是", "是"]
    assert all(a.revision == 1 for a in saved)
    with live_app.app_context():
        writes = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "inspection_answer", AuditLog.entity_id.in_([str(a.id) for a in saved])))
    assert writes == 5  # one create each, nothing twice


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def test_submit_is_blocked_by_a_missing_photo_then_allowed(page, console, live_app):
    console.allow(422)
    sign_in(page, "duxue1")
    inspection = start(page, 3)
    for index in range(17):  # 作业公示 (the third a 小学 answers): not met, a photo is required
        tap(page, index, NO if index == 2 else YES)
    expect(page.locator(".saved")).to_have_count(17, timeout=30_000)  # 17 saves, one after another
    page.get_by_role("button", name="提交检查").tap()
    expect(page.locator("#blockers")).to_contain_text("第 1.4 项：未达标，须拍照留证")
    page.locator(ITEM).nth(2).locator("input[type=file]").set_input_files(
        files=[{"name": "作业公示.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    expect(page.locator(ITEM).nth(2).get_by_alt_text("佐证照片 1")).to_be_visible()
    page.get_by_role("button", name="提交检查").tap()
    page.wait_for_url(re.compile(rf"/inspections/{inspection}$"))
    expect(page.get_by_text("已提交", exact=True)).to_be_visible()
    with live_app.app_context():
        assert db.session.get(Inspection, inspection).status is InspectionStatus.SUBMITTED
        assert db.session.scalar(select(func.count()).select_from(Photo).join(Photo.answer).where(
            Answer.inspection_id == inspection)) == 1


def test_photo_picked_offline_survives_closing_the_tab_and_arrives_once(page, context, live_app, console):
    console.allow_network_failures()  # the test cuts the network
    sign_in(page, "duxue1")
    inspection = start(page, 4)
    tap(page, 0, NO)
    expect(page.locator(".saved")).to_have_count(1)
    context.set_offline(True)
    page.locator(ITEM).first.locator("input[type=file]").set_input_files(
        files=[{"name": "作业公示.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    expect(page.locator(ITEM).first.locator(".photos .pending")).to_have_text("“作业公示.jpg”待上传（已保存在本机）")
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    expect(page.get_by_role("button", name="提交检查")).to_be_disabled()
    page.close()

    context.set_offline(False)
    again = context.new_page()
    again.goto(page.base + f"/inspections/{inspection}/fill")
    expect(again.locator(ITEM).first.get_by_alt_text("佐证照片 1")).to_be_visible()
    expect(again.locator("[data-sync-status]")).to_be_hidden()
    expect(again.locator(".photos .pending")).to_have_count(0)
    again.reload()  # nothing left to send twice
    expect(again.locator(ITEM).first.get_by_alt_text("佐证照片 1")).to_be_visible()
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo).join(Photo.answer).where(
            Answer.inspection_id == inspection)) == 1


def test_the_lesson_item_shows_the_schools_lessons_beside_the_score(page, live_app):
    """学校综合督导检查表's 推门听课 item: the school's finished lessons of the semester, 达标 and rate, and the
    list of them one tap away, beside the points the inspector gives."""
    import os
    from pathlib import Path

    from portal import clock
    from portal.models import Observation, ObservationStatus, School, User

    sign_in(page, "duxue1")
    inspection = start(page, 1, "学校综合督导检查表")
    with live_app.app_context():
        school_id = db.session.get(Inspection, inspection).school_id
        term = clock.semester(clock.today())
        lessons = db.session.scalar(select(func.count()).select_from(Observation).where(
            Observation.school_id == school_id, Observation.status == ObservationStatus.FINAL,
            Observation.observed_on.between(term.start, term.end)))
        mine_open = db.session.scalar(select(func.count()).select_from(Observation).join(Observation.observer).where(
            Observation.school_id == school_id, Observation.status == ObservationStatus.DRAFT,
            Observation.observed_on.between(term.start, term.end), User.username == "duxue1"))
        school = db.session.get(School, school_id).name
    item = page.locator(".sheet-item", has_text="推门听课：随机听课节次")
    panel = item.locator("[data-lesson-records]")
    expect(panel).to_contain_text(f"已完成 {lessons} 节")
    expect(panel).to_contain_text(term.name)
    item.locator("input[name=value]").fill("8")
    item.locator("input[name=value]").blur()
    expect(item.locator(".saved")).to_be_visible()
    panel.scroll_into_view_if_needed()
    shots = Path(os.environ.get("SHOTS_DIR", "/tmp/shots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "inspection-lessons-1024.png"))
    box = panel.get_by_role("link", name="查看听课记录").bounding_box()
    assert box["height"] >= 43.5
    panel.get_by_role("link", name="查看听课记录").tap()
    page.wait_for_url(re.compile(r"/observations/\?school=\d+&semester="))
    expect(page.get_by_text(f"共 {lessons + mine_open} 条听课记录")).to_be_visible()  # and one's own still open
    expect(page.locator("#results tbody tr").first).to_contain_text(school)
