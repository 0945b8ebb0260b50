"""一校一规划 on a tablet: the principal marks a milestone done with a photo taken on the spot, and the
county board shows the school's new completion."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Milestone, MilestoneStatus, Plan, PlanStatus, School

from ..test_documents import pdf_text
from .conftest import settled, sign_in, signed_out
from .test_rectification import jpeg, shot

pytestmark = pytest.mark.browser

MILESTONE = "办学理念宣讲覆盖全体教职工和家长"


def direction_cell(page, school: str):
    """The board's 办学方向 cell (the first dimension) of a school's row."""
    return page.locator("table.plan-board tr", has_text=school).locator("td.heat").first


def test_principal_marks_a_milestone_done_with_a_photo_and_the_board_shows_it(page, context, live_app):
    with live_app.app_context():
        school = db.session.scalar(select(School).where(School.code == "360001"))
        name, principal = school.name, f"xz{school.code}"

    sign_in(page, "admin")
    page.goto(page.base + "/plans/")
    expect(direction_cell(page, name)).to_have_text("33")  # 1 of 3 milestones of 明确办学方向 done
    signed_out(page)

    sign_in(page, principal)
    page.get_by_role("link", name="规划", exact=True).tap()
    settled(page)
    page.locator("table a.row-link").first.tap()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    settled(page)
    shot(page, "plan-detail")
    page.get_by_role("link", name=MILESTONE, exact=True).tap()
    page.wait_for_url(re.compile(r"/plans/milestones/\d+$"))
    settled(page)
    page.locator("#files input[type=file]").set_input_files(
        files=[{"name": "宣讲现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    expect(page.get_by_alt_text("佐证照片 1")).to_be_visible()
    page.locator("#progress label.chip", has_text="已完成").tap()
    page.get_by_label("进展说明").fill("已在全体教职工大会和家长会上宣讲，共 6 场。")
    page.get_by_role("button", name="保存进度").tap()
    expect(page.locator("#progress h2 .badge")).to_have_text("已完成")
    expect(page.get_by_text("进度已保存。")).to_be_visible()
    expect(page.locator("#progress table")).to_contain_text("已在全体教职工大会和家长会上宣讲")
    shot(page, "plan-milestone-done")
    page.go_back()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    document = page.get_by_role("link", name="规划文本（PDF）")
    expect(document).to_have_attribute("target", "_blank")
    pdf = page.request.get(page.base + document.get_attribute("href"))  # the tablet's own session
    assert pdf.headers["content-type"] == "application/pdf"
    assert "规划实施进展截至" in pdf_text(pdf.body()) and "明确办学方向32" in pdf_text(pdf.body())  # 2 of its 3 done

    with live_app.app_context():
        milestone = db.session.scalar(select(Milestone).where(Milestone.title == MILESTONE,
                                                               Milestone.goal.has(plan_id=1)))
        assert milestone.status is MilestoneStatus.DONE and milestone.done_on and len(milestone.files) == 1
        assert milestone.files[0].thumbnail_id and [u.status for u in milestone.updates] == [MilestoneStatus.DONE]

    signed_out(page)
    sign_in(page, "admin")
    page.get_by_role("link", name="规划", exact=True).tap()
    settled(page)
    expect(direction_cell(page, name)).to_have_text("67")  # 2 of 3 now
    shot(page, "plans-board")


def test_the_assigned_expert_returns_a_plan_with_a_comment_beside_a_goal(page, context, live_app):
    """The comment boxes sit beside their goals, outside the review form (form="review"): the boosted
    submit still carries them."""
    with live_app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.status == PlanStatus.SUBMITTED))
        plan_id, goal = plan.id, plan.goals[3]
        goal_id, principal = goal.id, f"xz{plan.school.code}"

    sign_in(page, "duxue1")
    page.goto(page.base + f"/plans/{plan_id}")
    page.locator(f"#goal-{goal_id}").get_by_label("对此目标的意见").fill("质量目标请写出可检验的指标。")
    page.locator("#review label.chip", has_text="退回修改").tap()
    page.get_by_role("button", name="确定").tap()
    expect(page.get_by_text("已退回学校修改。")).to_be_visible()
    expect(page.locator(".plan-facts .badge").first).to_have_text("已退回")

    signed_out(page)
    sign_in(page, principal)
    page.goto(page.base + f"/plans/{plan_id}")
    expect(page.locator(f"#goal-{goal_id} .goal-comment")).to_contain_text("质量目标请写出可检验的指标。")
    with live_app.app_context():
        assert db.session.get(Plan, plan_id).status is PlanStatus.RETURNED
