"""Checklists that fit each kind of school, on a tablet: a round over the 义务教育 schools by one tap,
and a 幼儿园 inspected with its own checklist while a 高中 is not asked about 课后服务."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Round, SchoolKind

from .conftest import settled, sign_in, signed_out
from .test_balance import shot


def test_admin_taps_one_choice_for_a_compulsory_schools_round(page, live_app):
    """五项管理 over 小学 + 初中 + 九年一贯制 by one tap; the 幼儿园, 高中 and 教学点 never come into the draw."""
    sign_in(page, "admin")
    page.goto(page.base + "/rounds/new")
    settled(page)
    page.get_by_label("批次名称").fill("义务教育学校五项管理抽查")
    page.get_by_label("督导类型").select_option(label="专项督导")
    page.get_by_label("检查表").select_option(label="“五项管理”专项督导（第 1 版）")
    page.get_by_label("截止日期").fill("2026-12-20")
    settled(page)
    expect(page.get_by_label("不列入教学点")).to_be_checked()  # the default
    page.get_by_role("button", name="义务教育学校（小学、初中、九年一贯制）").tap()
    for kind in ("小学", "初中", "九年一贯制"):
        expect(page.locator("#field-school_kinds").get_by_label(kind, exact=True)).to_be_checked()
    expect(page.locator("#field-school_kinds").get_by_label("幼儿园", exact=True)).not_to_be_checked()
    page.locator("#field-school_kinds").get_by_label("幼儿园", exact=True).tap()  # ask for one it does not fit
    expect(page.locator("#left-out")).to_contain_text("城东中心幼儿园")
    expect(page.locator("#left-out")).to_contain_text("不适用于幼儿园")
    settled(page)
    shot(page, "round-kinds")
    page.get_by_label("随机抽取").first.tap()
    page.get_by_label("抽取学校数").fill("6")
    page.locator("#field-inspectors").get_by_label("吴慧敏").tap()  # one inspector takes them all, in turn
    page.get_by_role("button", name="创建批次并生成检查").tap()
    page.wait_for_url(re.compile(r"/rounds/\d+$"))
    expect(page.locator("table.data:not(.ranking) tbody tr")).to_have_count(6)  # the schools, not the ranking
    with live_app.app_context():
        made = db.session.scalar(select(Round).where(Round.name == "义务教育学校五项管理抽查"))
        assert {i.school.kind for i in made.inspections} <= {SchoolKind.PRIMARY, SchoolKind.JUNIOR, SchoolKind.NINE_YEAR}
        assert "不含教学点" in made.school_draw.rule


def start(page, school: str, checklist: str):
    page.goto(page.base + "/inspections/new")
    settled(page)
    page.get_by_label("学校").select_option(label=school)
    page.get_by_label("检查表").select_option(label=checklist)
    page.get_by_role("button", name="开始检查").tap()


def test_a_kindergarten_gets_its_own_checklist_and_a_senior_school_is_not_asked_about_after_school_care(page, console):
    console.allow(422)
    sign_in(page, "duxue2")  # 城东中心幼儿园 is in this inspector's 责任区
    start(page, "城东中心幼儿园", "学校综合督导检查表（第 1 版）")
    expect(page.locator("#field-version")).to_contain_text("该检查表不适用于幼儿园，请选择适用的检查表")
    page.get_by_label("检查表").select_option(label="幼儿园保育教育督导检查表（第 1 版）")
    page.get_by_role("button", name="开始检查").tap()
    page.wait_for_url(re.compile(r"/inspections/\d+/fill$"))
    expect(page.locator("main h1")).to_contain_text("幼儿园保育教育督导检查表")
    expect(page.get_by_text("不提前教授拼音、识字、算术等小学课程内容")).to_be_visible()
    expect(page.locator(".item-standard").first).to_contain_text("评分标准：")
    shot(page, "kindergarten-fill")

    signed_out(page)
    sign_in(page, "duxue6")  # 县第一中学 (高中)
    start(page, "县第一中学", "学校综合督导检查表（第 1 版）")
    page.wait_for_url(re.compile(r"/inspections/\d+/fill$"))
    after_school = page.locator("article.sheet-item", has_text="课后服务开展")
    expect(after_school).to_contain_text("本项对高中不适用，不作答、不计分")
    expect(after_school.locator("input")).to_have_count(0)
    expect(page.locator("#sheet-summary")).to_contain_text("已答 0/16")  # 17 items, one not a 高中's
    after_school.scroll_into_view_if_needed()
    shot(page, "senior-fill-na")


def test_admin_names_the_kinds_a_checklist_fits_and_the_list_shows_them(page, live_app):
    from portal.models import ChecklistTemplate

    sign_in(page, "admin")
    page.goto(page.base + "/checklists/")
    row = page.locator("tr", has_text="“五项管理”专项督导")
    expect(row).to_contain_text("小学、初中、九年一贯制、完全中学、高中、教学点")
    row.get_by_role("link", name="“五项管理”专项督导").tap()
    settled(page)
    kinds = page.locator("#kinds")
    kinds.get_by_label("教学点", exact=True).tap()  # untick: the office leaves 教学点 to their own visits
    kinds.get_by_role("button", name="保存适用学校类型").tap()
    expect(page.locator("#kinds")).to_contain_text("目前：小学、初中、九年一贯制、完全中学、高中。")
    expect(page.locator("#kinds").get_by_label("教学点", exact=True)).not_to_be_checked()
    shot(page, "checklist-kinds")
    with live_app.app_context():
        five = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "“五项管理”专项督导"))
        assert "TEACHING_POINT" not in five.school_kinds
        five.school_kinds = [*five.school_kinds, "TEACHING_POINT"]  # as it was, for the tests after this one
        db.session.commit()
