"""一校一规划: drafting by the nine dimensions, submit / return / approve, revisions that keep the approved
baseline, progress from the tablet with evidence, overdue by the county's calendar, evaluations, the
link to rectification, the county board and its export."""
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.extensions import db
from portal.files.uploads import store
from portal.models import (Dimension, Goal, Milestone, MilestoneStatus, MilestoneUpdate, Plan, PlanEvent, PlanFile,
                           PlanRevision, PlanStatus, PlanStep, RectificationItem, RectificationStatus, School,
                           milestone_rectification)
from portal.plans import drafting, progress, workflow

from .conftest import HX, HX_BOOSTED
from .test_access import PNG
from .test_rectification import Person, jpeg
from .test_uploads import refused_undecoded

NOT_STARTED, IN_PROGRESS, DONE, OVERDUE, NOT_MET = (
    MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE, MilestoneStatus.OVERDUE,
    MilestoneStatus.NOT_MET)
DRAFT, SUBMITTED, RETURNED, APPROVED = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.APPROVED


def today_in(app) -> date:
    with app.app_context():
        return clock.today()


@pytest.fixture
def start(app) -> int:
    """The current plans' first school year: today is in their second year."""
    return progress.school_year(today_in(app)) - 1


@pytest.fixture
def make_plan(app, start):
    def make(school_id, status=APPROVED, dimensions=tuple(Dimension), milestones=None, start_year=None,
             reviewer_id=None) -> int:
        """A plan with a goal in each of `dimensions`, each goal with `milestones`: [(title, due, status, done_on)]."""
        first = start_year or start
        milestones = milestones or [("第一年里程碑", date(first + 1, 6, 30), NOT_STARTED, None)]
        with app.app_context():
            plan = Plan(school_id=school_id, start_year=first, title=f"规划{first}", status=status, reviewer_id=reviewer_id)
            for d in dimensions:
                goal = Goal(dimension=d, text=f"{d.value}的目标")
                for title, due, state, done_on in milestones:
                    goal.milestones.append(Milestone(title=f"{d.value}：{title}", due_date=due, status=state,
                                                     done_on=done_on, owner="教务处", result="可检验的成果"))
                plan.goals.append(goal)
            db.session.add(plan)
            db.session.flush()
            if status is APPROVED:
                plan.baseline = progress.snapshot(plan)
            db.session.commit()
            return plan.id

    return make


@pytest.fixture
def setup(app, make_school, make_user):
    school = make_school(is_project_school=True, education_group="东部教育集团", township="城东街道")
    neighbour = make_school(education_group="西部教育集团", township="西山镇")
    inspector = make_user("inspector", schools=[school])
    return dict(school=school, neighbour=neighbour, inspector=inspector, admin=make_user("admin"),
                principal=make_user("principal", school_id=school),
                neighbour_principal=make_user("principal", school_id=neighbour))


def first_ids(app, plan_id):
    """(goal id, milestone id) of the plan's first goal."""
    with app.app_context():
        goal = db.session.get(Plan, plan_id).goals[0]
        return goal.id, goal.milestones[0].id


def milestone_of(app, milestone_id) -> Milestone:
    with app.app_context():
        found = db.session.get(Milestone, milestone_id)
        found.history = [(u.status, u.note) for u in found.updates]
        found.file_count = len(found.files)
        return found


def plan_of(app, plan_id) -> Plan:
    with app.app_context():
        found = db.session.get(Plan, plan_id)
        found.steps = [e.step for e in found.events]
        found.revision_list = [(r.reason, r.changes, r.actor_id) for r in found.revisions]
        found.milestone_dues = [m.due_date for m in found.milestones]
        return found


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# Overdue is derived from the county's date, never stored

def test_overdue_is_derived_across_the_beijing_date_boundary(app):
    milestone = Milestone(status=IN_PROGRESS, due_date=date(2026, 6, 30))
    with app.app_context():
        last_minute = clock.today(datetime(2026, 6, 30, 15, 59, tzinfo=UTC))  # 23:59 on the 30th in Beijing
        past_midnight = clock.today(datetime(2026, 6, 30, 16, 1, tzinfo=UTC))  # 00:01 on 1 July
    assert last_minute == date(2026, 6, 30) and progress.shown(milestone, last_minute) is IN_PROGRESS
    assert past_midnight == date(2026, 7, 1) and progress.shown(milestone, past_midnight) is OVERDUE
    assert progress.days_overdue(milestone, past_midnight) == 1
    for state in (DONE, NOT_MET):  # finished one way or the other: never late
        assert progress.shown(Milestone(status=state, due_date=date(2026, 6, 30)), past_midnight) is state
    assert progress.shown(Milestone(status=NOT_STARTED, due_date=date(2026, 6, 30)), past_midnight) is OVERDUE


def test_overdue_in_sql_counts_like_the_rule_and_cannot_be_stored(app, setup, make_plan, start):
    late, due_today = date(2026, 11, 22), date(2026, 11, 23)
    plan_id = make_plan(setup["school"], dimensions=[Dimension.TEACHING], milestones=[
        ("a", late, IN_PROGRESS, None), ("b", due_today, NOT_STARTED, None), ("c", late, DONE, late),
        ("d", late, NOT_MET, None)])
    with app.app_context():
        found = db.session.scalars(select(Milestone.title).where(progress.overdue_clause(date(2026, 11, 23)))).all()
        assert found == ["提高课程教学质量：a"]
        milestone = db.session.get(Plan, plan_id).milestones[0]
        milestone.status = OVERDUE
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(workflow.Refused, match="自动判断"):
            workflow.record_update(db.session.get(Milestone, milestone.id), OVERDUE, "", actor_id=None, today=due_today)


def test_stage_goals_met_on_time_missed_or_pending():
    today = date(2027, 3, 1)
    on_time = Milestone(status=DONE, due_date=date(2026, 12, 31), done_on=date(2026, 12, 20))
    late_done = Milestone(status=DONE, due_date=date(2026, 12, 31), done_on=date(2027, 1, 5))
    open_future = Milestone(status=IN_PROGRESS, due_date=date(2027, 6, 30))
    declared = Milestone(status=NOT_MET, due_date=date(2027, 6, 30))
    assert progress.stage(progress.tally([on_time], today)) is progress.Stage.MET
    assert progress.stage(progress.tally([on_time, open_future], today)) is progress.Stage.PENDING
    assert progress.stage(progress.tally([on_time, late_done], today)) is progress.Stage.MISSED
    assert progress.stage(progress.tally([on_time, declared], today)) is progress.Stage.MISSED
    assert progress.stage(progress.tally([], today)) is progress.Stage.NONE
    totals = progress.tally([on_time, late_done, open_future, declared], today)
    assert (totals.total, totals.done, totals.on_time, totals.percent) == (4, 2, 1, 50)


def test_plan_years_are_school_years():
    plan = Plan(start_year=2025)
    assert [progress.plan_year(plan, d) for d in (date(2025, 9, 1), date(2026, 8, 31), date(2026, 9, 1),
                                                  date(2028, 8, 31), date(2028, 9, 1))] == [1, 1, 2, 3, 4]
    assert [s.code for s in progress.semesters(plan)] == ["2025-1", "2025-2", "2026-1", "2026-2", "2027-1", "2027-2"]


# The workflow as data

ALLOWED = {(DRAFT, PlanStep.SUBMIT), (RETURNED, PlanStep.SUBMIT), (SUBMITTED, PlanStep.RETURN),
           (SUBMITTED, PlanStep.APPROVE)}


def complete_plan(status) -> Plan:
    plan = Plan(start_year=2025, status=status, events=[], goals=[
        Goal(dimension=d, text="目标", milestones=[Milestone(title="m", due_date=date(2026, 6, 30))]) for d in Dimension])
    for n, goal in enumerate(plan.goals, 1):
        goal.id, goal.milestones[0].id = n, n
    return plan


@pytest.mark.parametrize("status", list(PlanStatus))
@pytest.mark.parametrize("step", [PlanStep.SUBMIT, PlanStep.RETURN, PlanStep.APPROVE])
def test_only_the_listed_transitions_happen(app, status, step):
    plan = complete_plan(status)
    if (status, step) in ALLOWED:
        event = workflow.apply(plan, step, actor_id=None, comment="意见")
        assert plan.events == [event]
        assert plan.status is {PlanStep.SUBMIT: SUBMITTED, PlanStep.RETURN: RETURNED, PlanStep.APPROVE: APPROVED}[step]
        assert (plan.baseline is not None) is (step is PlanStep.APPROVE)
    else:
        with pytest.raises(workflow.Refused, match=f"这份规划{status.value}，不能{step.value}"):
            workflow.apply(plan, step, actor_id=None, comment="意见")
        assert plan.status is status and plan.events == []


def test_a_plan_is_submitted_only_when_every_dimension_has_goals_with_milestones(app):
    plan = complete_plan(DRAFT)
    plan.goals = plan.goals[:7]
    plan.goals[0].milestones = []
    with pytest.raises(workflow.Refused) as refused:
        workflow.apply(plan, PlanStep.SUBMIT, actor_id=None)
    assert "“学生健康发展”还没有目标" in str(refused.value) and "“评价监测保障”还没有目标" in str(refused.value)
    assert "还没有里程碑" in str(refused.value) and plan.status is DRAFT


# Writing a plan over HTTP

def new_plan(person, school_id, start_year, source="", key="key-plan-0001", headers=None):
    return person.post(f"/plans/schools/{school_id}/new", {"start_year": start_year, "source": source, "key": key},
                       headers=headers)


def test_a_principal_starts_a_blank_plan_once_and_it_opens_on_the_nine_dimensions(app, setup, start):
    principal = Person(app, setup["principal"])
    first = new_plan(principal, setup["school"], start)
    assert first.status_code == 303
    assert new_plan(principal, setup["school"], start).headers["Location"] == first.headers["Location"]  # a double tap
    assert count(app, Plan) == 1
    page = principal.get(first.headers["Location"]).get_data(as_text=True)
    for n, d in enumerate(Dimension, 1):
        assert f"{n}. {d.value}" in page
    assert "提交审核前还需" in page and "disabled" in page
    overlapping = new_plan(principal, setup["school"], start + 1, key="key-plan-0002", headers=HX)
    assert overlapping.status_code == 422 and "时间重叠" in overlapping.get_data(as_text=True)


def test_a_plan_starts_from_the_previous_period(app, setup, make_plan, start):
    previous = make_plan(setup["school"], start_year=start - 3, milestones=[
        ("旧里程碑", date(start - 1, 6, 30), DONE, date(start - 1, 6, 1))])
    principal = Person(app, setup["principal"])
    response = new_plan(principal, setup["school"], start, source=previous)
    plan_id = int(response.headers["Location"].rsplit("/", 1)[1])
    plan = plan_of(app, plan_id)
    assert plan.based_on_id == previous and plan.status is DRAFT and plan.steps == [PlanStep.CREATE]
    assert plan.milestone_dues == [date(start + 2, 6, 30)] * 9  # moved by the three years between
    with app.app_context():
        assert {m.status for m in db.session.get(Plan, plan_id).milestones} == {NOT_STARTED}


def test_drafting_a_goal_and_milestone_then_submit(app, setup, make_plan, start):
    plan_id = make_plan(setup["school"], status=DRAFT, dimensions=list(Dimension)[:8])
    principal = Person(app, setup["principal"])
    goal = principal.post(f"/plans/{plan_id}/goals/new", {"dimension": "EVALUATION", "text": "建立评价体系", "key": "key-goal-1"})
    assert goal.status_code == 303 and goal.headers["Location"].endswith("#dim-EVALUATION")
    principal.post(f"/plans/{plan_id}/goals/new", {"dimension": "EVALUATION", "text": "建立评价体系", "key": "key-goal-1"})
    with app.app_context():
        goal_id = db.session.scalar(select(Goal.id).where(Goal.dimension == Dimension.EVALUATION))
    assert count(app, Goal) == 9  # the resend added nothing
    assert principal.post(f"/plans/{plan_id}/submit", {"key": "key-submit-1"}).status_code == 409  # no milestone yet
    response = principal.post(f"/plans/goals/{goal_id}/milestones/new", {
        "title": "制定评价方案", "term": f"{start + 1}-1", "owner": "德育处", "result": "方案一份", "key": "key-ms-1"})
    assert response.status_code == 303
    with app.app_context():
        made = db.session.scalar(select(Milestone).where(Milestone.goal_id == goal_id))
        assert made.due_date == date(start + 2, 1, 31) and made.term == f"{start + 1}-1"
    assert principal.post(f"/plans/{plan_id}/submit", {"key": "key-submit-2"}).status_code == 303
    assert principal.post(f"/plans/{plan_id}/submit", {"key": "key-submit-2"}).status_code == 303  # resent: once
    plan = plan_of(app, plan_id)
    assert plan.status is SUBMITTED and plan.steps == [PlanStep.SUBMIT] and plan.revision_list == []


@pytest.mark.parametrize("fields,message", [
    ({"due_date": "2020-06-30"}, "完成时间须在规划期内"),
    ({"due_date": "2099-06-30"}, "完成时间须在规划期内"),
    ({"due_date": ""}, "请选择目标学期，或填写完成时间"),
    ({"term": "2019-1"}, "不是有效的选择"),
    ({"title": "  "}, "请写明这一步要做成什么"),
    ({"owner": ""}, "请填写责任人或责任部门"),
    ({"result": "x" * 501}, "最多 500 字"),
])
def test_bad_milestones_are_refused_beside_the_field(app, setup, make_plan, fields, message):
    plan_id = make_plan(setup["school"], status=DRAFT)
    goal_id, _ = first_ids(app, plan_id)
    form = {"title": "新里程碑", "term": "", "due_date": "", "owner": "教务处", "result": "成果", "key": "key-bad-1",
            **fields}
    response = Person(app, setup["principal"]).post(f"/plans/goals/{goal_id}/milestones/new", form, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and "<html" not in html
    assert count(app, Milestone) == 9


@pytest.mark.parametrize("headers", [{}, HX, HX_BOOSTED])
def test_an_empty_goal_is_refused(app, setup, make_plan, headers):
    plan_id = make_plan(setup["school"], status=DRAFT)
    response = Person(app, setup["principal"]).post(f"/plans/{plan_id}/goals/new", {
        "dimension": "TEACHING", "text": "   ", "key": "key-empty-1"}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写目标内容" in html
    assert ("<html" in html) is (headers is not HX)
    assert count(app, Goal) == 9


# Review: comments per goal, return or approve; the assigned expert inspector

def review(person, plan_id, decision, comment="", key="key-review-1", **goal_comments):
    return person.post(f"/plans/{plan_id}/review", {"decision": decision, "comment": comment, "key": key,
                                                    **{f"goal_{g}": text for g, text in goal_comments.items()}})


def test_return_with_comments_per_goal_then_approve(app, setup, make_plan):
    plan_id = make_plan(setup["school"], status=SUBMITTED)
    goal_id, _ = first_ids(app, plan_id)
    admin = Person(app, setup["admin"])
    refused = review(admin, plan_id, "return")
    assert refused.status_code == 422 and "退回时请写明需要修改的地方" in refused.get_data(as_text=True)
    assert review(admin, plan_id, "return", key="key-review-2", **{str(goal_id): "目标要可量化"}).status_code == 303
    assert plan_of(app, plan_id).status is RETURNED
    principal = Person(app, setup["principal"])
    page = principal.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "退回修改意见" in page and "目标要可量化" in page
    assert principal.post(f"/plans/goals/{goal_id}/edit", {"text": "党建工作考核优秀率达到 100%", "key": "key-edit-1"}).status_code == 303
    assert principal.post(f"/plans/{plan_id}/submit", {"key": "key-submit-9"}).status_code == 303
    assert review(admin, plan_id, "approve", key="key-review-3").status_code == 303
    plan = plan_of(app, plan_id)
    assert plan.status is APPROVED and plan.approved_at
    assert plan.steps == [PlanStep.RETURN, PlanStep.SUBMIT, PlanStep.APPROVE]
    assert plan.baseline["goals"][str(goal_id)]["text"] == "党建工作考核优秀率达到 100%"
    assert plan.revision_list == []  # edits before approval are drafting, not revisions


def test_only_the_assigned_inspector_reviews_besides_the_office(app, setup, make_plan, make_user):
    other_inspector = make_user("inspector", schools=[setup["school"]])
    plan_id = make_plan(setup["school"], status=SUBMITTED, reviewer_id=setup["inspector"])
    assert review(Person(app, other_inspector), plan_id, "approve").status_code == 403
    assert review(Person(app, setup["principal"]), plan_id, "approve").status_code == 403
    assigned = Person(app, setup["inspector"])
    assert "对此目标的意见" in assigned.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert review(assigned, plan_id, "approve").status_code == 303
    assert plan_of(app, plan_id).status is APPROVED


def test_the_office_assigns_a_reviewer_from_the_schools_inspectors(app, setup, make_plan, make_user):
    stranger = make_user("inspector")
    plan_id = make_plan(setup["school"], status=SUBMITTED)
    admin = Person(app, setup["admin"])
    refused = admin.post(f"/plans/{plan_id}/reviewer", {"reviewer": stranger})
    assert refused.status_code == 422  # not one of the school's inspectors: said beside the choice
    assert re.search(r'id="reviewer-msg"[^>]*>\s*<span class="error">', refused.get_data(as_text=True))
    assert plan_of(app, plan_id).reviewer_id is None
    admin.post(f"/plans/{plan_id}/reviewer", {"reviewer": setup["inspector"]})
    assert plan_of(app, plan_id).reviewer_id == setup["inspector"]


# After approval: revisions keep the baseline

def test_revisions_record_who_why_what_and_keep_the_approved_baseline(app, setup, make_plan, start):
    plan_id = make_plan(setup["school"])
    goal_id, milestone_id = first_ids(app, plan_id)
    principal = Person(app, setup["principal"])
    form = {"title": "明确办学方向：第一年里程碑", "term": "", "due_date": date(start + 1, 12, 31).isoformat(),
            "owner": "教务处", "result": "可检验的成果", "key": "key-rev-1"}
    without = principal.post(f"/plans/milestones/{milestone_id}/edit", form, headers=HX)
    assert without.status_code == 422 and "已批准的规划调整须写明理由" in without.get_data(as_text=True)
    assert principal.post(f"/plans/milestones/{milestone_id}/edit", {**form, "reason": "场地改造延期"}).status_code == 303
    assert principal.post(f"/plans/goals/{goal_id}/milestones/new", {
        "title": "补充里程碑", "term": f"{start + 2}-2", "owner": "校长办公室", "result": "报告", "reason": "督导意见",
        "key": "key-rev-2"}).status_code == 303
    plan = plan_of(app, plan_id)
    (reason, changes, actor), (reason2, changes2, _) = plan.revision_list
    assert reason == "场地改造延期" and actor == setup["principal"]
    assert changes == [f"里程碑“明确办学方向：第一年里程碑”的完成时间：{date(start + 1, 6, 30)} → {date(start + 1, 12, 31)}"]
    assert reason2 == "督导意见" and "新增里程碑“补充里程碑”" in changes2[0]
    assert plan.baseline["milestones"][str(milestone_id)]["due_date"] == date(start + 1, 6, 30).isoformat()
    assert str(max(plan.baseline["milestones"], key=int)) != "补充里程碑"
    page = principal.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert f"原定 {date(start + 1, 6, 30)}" in page and "调整新增" in page and "场地改造延期" in page
    assert "批准时的规划（基线）" in page
    # Nothing changed: nothing recorded; removal is refused once approved
    principal.post(f"/plans/milestones/{milestone_id}/edit", {**form, "reason": "再存一次", "key": "key-rev-3"})
    assert len(plan_of(app, plan_id).revision_list) == 2
    assert principal.post(f"/plans/milestones/{milestone_id}/delete").status_code == 409
    assert principal.post(f"/plans/goals/{goal_id}/delete").status_code == 409


# Who may change what, and when

@pytest.mark.parametrize("status,edit,progress_update", [
    (DRAFT, 303, 409), (RETURNED, 303, 409), (SUBMITTED, 409, 409), (APPROVED, 303, 303)])
def test_a_principal_edits_own_plan_only_in_the_allowed_states(app, setup, make_plan, status, edit, progress_update):
    plan_id = make_plan(setup["school"], status=status)
    goal_id, milestone_id = first_ids(app, plan_id)
    principal = Person(app, setup["principal"])
    changed = principal.post(f"/plans/goals/{goal_id}/edit", {"text": "新的目标", "reason": "调整", "key": "key-perm-1"})
    assert changed.status_code == edit
    updated = principal.post(f"/plans/milestones/{milestone_id}/progress", {"status": "IN_PROGRESS", "key": "key-perm-2"})
    assert updated.status_code == progress_update
    neighbour = Person(app, setup["neighbour_principal"])
    for url, data in ((f"/plans/goals/{goal_id}/edit", {"text": "x", "reason": "y", "key": "key-perm-3"}),
                      (f"/plans/milestones/{milestone_id}/progress", {"status": "DONE", "key": "key-perm-4"}),
                      (f"/plans/{plan_id}/goals/new", {"dimension": "TEACHING", "text": "x", "key": "key-perm-5"}),
                      (f"/plans/{plan_id}/submit", {})):
        assert neighbour.post(url, data).status_code == 403
    assert neighbour.get(f"/plans/{plan_id}").status_code == 403
    assert Person(app, setup["inspector"]).post(f"/plans/goals/{goal_id}/edit", {"text": "x"}).status_code == 403
    with app.app_context():
        assert db.session.get(Goal, goal_id).text == ("新的目标" if edit == 303 else "明确办学方向的目标")


def test_a_school_id_smuggled_into_a_form_changes_nothing(app, setup, make_plan, start):
    principal = Person(app, setup["principal"])
    response = principal.post(f"/plans/schools/{setup['school']}/new", {
        "start_year": start, "key": "key-smuggle-1", "school_id": setup["neighbour"], "school": setup["neighbour"]})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Plan.school_id)).all() == [setup["school"]]
    assert new_plan(principal, setup["neighbour"], start, key="key-smuggle-2").status_code == 403


# Progress from the tablet

def upload(person, milestone_id, data, name="现场照片.jpg", key="key-file-0001", headers=HX):
    return person.client.post(f"/plans/milestones/{milestone_id}/files", data={"file": (io.BytesIO(data), name), "key": key},
                              headers={**headers, "X-CSRFToken": person.token}, content_type="multipart/form-data")


def update(person, milestone_id, status, note="", key="key-update-1", headers=None):
    return person.post(f"/plans/milestones/{milestone_id}/progress", {"status": status, "note": note, "key": key},
                       headers=headers)


def test_marking_done_needs_evidence_and_each_update_is_a_history_line(app, setup, make_plan):
    plan_id = make_plan(setup["school"])
    _, milestone_id = first_ids(app, plan_id)
    principal = Person(app, setup["principal"])
    refused = update(principal, milestone_id, "DONE", headers=HX)
    assert refused.status_code == 422 and "请先上传佐证材料" in refused.get_data(as_text=True)
    not_met = update(principal, milestone_id, "NOT_MET", key="key-update-2", headers=HX)
    assert not_met.status_code == 422 and "请写明原因" in not_met.get_data(as_text=True)
    assert update(principal, milestone_id, "IN_PROGRESS", "已启动", key="key-update-3").status_code == 303
    assert upload(principal, milestone_id, jpeg(3000, 2000)).status_code == 200
    assert upload(principal, milestone_id, jpeg(3000, 2000)).status_code == 200  # resent: kept once
    done = update(principal, milestone_id, "DONE", "已完成，见照片", key="key-update-4", headers=HX)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "<html" not in html and "已完成，见照片" in html and "进度已保存" in html
    update(principal, milestone_id, "DONE", "已完成，见照片", key="key-update-4", headers=HX)  # resent
    milestone = milestone_of(app, milestone_id)
    assert milestone.status is DONE and milestone.done_on == today_in(app) and milestone.file_count == 1
    assert milestone.history == [(IN_PROGRESS, "已启动"), (DONE, "已完成，见照片")]
    assert principal.post(f"/plans/milestones/{milestone_id}/files/1/delete", headers=HX).status_code == 409


def test_progress_page_as_plain_htmx_and_boosted(app, setup, make_plan):
    plan_id = make_plan(setup["school"])
    _, milestone_id = first_ids(app, plan_id)
    principal = Person(app, setup["principal"])
    plain = principal.get(f"/plans/milestones/{milestone_id}").get_data(as_text=True)
    assert "<html" in plain and "保存进度" in plain and "拍照或添加文件" in plain
    assert "<html" in principal.get(f"/plans/milestones/{milestone_id}", headers=HX_BOOSTED).get_data(as_text=True)
    leader_view = Person(app, setup["admin"]).get(f"/plans/milestones/{milestone_id}").get_data(as_text=True)
    assert "保存进度" in leader_view  # the office may keep it too
    inspector_view = Person(app, setup["inspector"]).get(f"/plans/milestones/{milestone_id}").get_data(as_text=True)
    assert "保存进度" not in inspector_view and "拍照或添加文件" not in inspector_view


def test_a_decompression_bomb_is_refused_by_its_header_beside_the_field(app, setup, make_plan):
    _, milestone_id = first_ids(app, make_plan(setup["school"]))
    principal = Person(app, setup["principal"])
    html = refused_undecoded(app, lambda data: upload(principal, milestone_id, data, name="全景.png"))
    assert 'role="alert">“全景.png”的像素太多，无法处理' in html and count(app, PlanFile) == 0


def test_evidence_is_readable_only_at_its_school_whatever_the_file_row_says(app, setup, make_plan):
    plan_id = make_plan(setup["school"])
    _, milestone_id = first_ids(app, plan_id)
    with app.app_context():
        office_wide = store(PNG, "佐证.png", "image/png", school_id=None, user_id=None)  # a row without a school
        milestone = db.session.get(Milestone, milestone_id)
        milestone.files.append(PlanFile(client_key="k1", attachment=office_wide))
        db.session.commit()
        file_id = office_wide.id
    with Person(app, setup["principal"]).get(f"/files/{file_id}") as response:
        assert response.status_code == 200
    assert Person(app, setup["neighbour_principal"]).get(f"/files/{file_id}").status_code == 403


# Link to rectification: each side shows the other

def test_a_milestone_links_the_rectification_item_it_addresses(app, setup, make_plan):
    plan_id = make_plan(setup["school"])
    _, milestone_id = first_ids(app, plan_id)
    with app.app_context():
        mine = RectificationItem(school_id=setup["school"], problem="功能室使用记录不全", requirement="建立登记制度",
                                 due_date=date(2026, 12, 31), status=RectificationStatus.OPEN)
        theirs = RectificationItem(school_id=setup["neighbour"], problem="邻校问题", requirement="x",
                                   due_date=date(2026, 12, 31), status=RectificationStatus.OPEN)
        db.session.add_all([mine, theirs])
        db.session.commit()
        mine, theirs = mine.id, theirs.id
    principal = Person(app, setup["principal"])
    wrong = principal.post(f"/plans/milestones/{milestone_id}/rectification", {"rectification": theirs}, headers=HX)
    assert wrong.status_code == 422 and count(app, milestone_rectification) == 0
    assert principal.post(f"/plans/milestones/{milestone_id}/rectification", {"rectification": mine}).status_code == 303
    assert "功能室使用记录不全" in principal.get(f"/plans/milestones/{milestone_id}").get_data(as_text=True)
    item_page = principal.get(f"/rectification/{mine}").get_data(as_text=True)
    assert "规划里程碑" in item_page and f"/plans/milestones/{milestone_id}" in item_page
    assert principal.post(f"/plans/milestones/{milestone_id}/rectification/{mine}/delete").status_code == 303
    assert count(app, milestone_rectification) == 0


# Evaluations

def test_self_assessment_per_goal_and_the_offices_evaluation(app, setup, make_plan):
    plan_id = make_plan(setup["school"])
    goal_id, _ = first_ids(app, plan_id)
    principal = Person(app, setup["principal"])
    refused = principal.post(f"/plans/goals/{goal_id}/self-assessment/1", {"rating": "MET", "text": ""}, headers=HX)
    assert refused.status_code == 422 and "请写明本年度目标的达成情况" in refused.get_data(as_text=True)
    saved = principal.post(f"/plans/goals/{goal_id}/self-assessment/1", {"rating": "PARTLY", "text": "基本完成"}, headers=HX)
    assert saved.status_code == 200 and "<html" not in saved.get_data(as_text=True)
    principal.post(f"/plans/goals/{goal_id}/self-assessment/1", {"rating": "MET", "text": "全部完成"})
    assert principal.post(f"/plans/goals/{goal_id}/self-assessment/3", {"rating": "MET", "text": "x"}).status_code == 409
    with app.app_context():
        assessments = db.session.get(Goal, goal_id).assessments
        assert [(a.year, a.rating.value, a.text) for a in assessments] == [(1, "达成", "全部完成")]
    assert principal.post(f"/plans/{plan_id}/evaluations/midterm", {"conclusion": "x"}).status_code == 403
    admin = Person(app, setup["admin"])
    form = {f"dim_{d.name}": "GOOD" for d in Dimension}
    missing = admin.post(f"/plans/{plan_id}/evaluations/midterm", {**form, "dim_TEACHING": "", "conclusion": "总体良好"},
                         headers=HX)
    assert missing.status_code == 422 and "请评定“提高课程教学质量”" in missing.get_data(as_text=True)
    assert admin.post(f"/plans/{plan_id}/evaluations/midterm", {**form, "conclusion": "总体良好"}).status_code == 303
    page = principal.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "中期评估" in page and "总体良好" in page and "课程教学：良好" in page


# The county board

@pytest.fixture
def county(app, setup, make_plan, make_school, start):
    """Three schools: on track with one late milestone in 教学, missed (declared 未达成), and without a plan."""
    today = today_in(app)
    yesterday = today - timedelta(days=1)
    year_one = date(start + 1, 6, 30)
    on_track = make_plan(setup["school"], milestones=[("一", year_one, DONE, year_one - timedelta(days=5)),
                                                      ("二", date(start + 2, 6, 30), NOT_STARTED, None)])
    with app.app_context():  # one late milestone in 课程教学
        plan = db.session.get(Plan, on_track)
        teaching = next(g for g in plan.goals if g.dimension is Dimension.TEACHING)
        teaching.milestones.append(Milestone(title="逾期的推门听课达标", due_date=yesterday, owner="教务处", result="x",
                                             status=IN_PROGRESS))
        db.session.commit()
    missed = make_plan(setup["neighbour"], milestones=[("一", year_one, NOT_MET, None)])
    make_school(name="还没有规划的学校", education_group="东部教育集团")
    return dict(on_track=on_track, missed=missed)


def test_board_shows_status_completion_per_dimension_and_late_milestones(app, setup, county):
    admin = Person(app, setup["admin"])
    html = admin.get("/plans/").get_data(as_text=True)
    assert "还没有规划的学校" in html and "未制定" in html
    assert "逾期的推门听课达标" in html
    assert re.search(r'<div class="figure">1</div><div class="label">逾期里程碑</div>', html)
    row = html[html.index(f'href="/plans/{county["on_track"]}"'):]
    row = row[:row.index("</tr>")]
    assert row.count('class="heat heat-3"') == 8  # 1 of 2 done in eight dimensions
    assert 'class="heat heat-2 heat-late"' in row  # 1 of 3 in 课程教学, one late
    assert "按期达成" in row
    east = admin.get("/plans/?group=东部教育集团", headers=HX).get_data(as_text=True)
    assert "<html" not in east and "还没有规划的学校" in east and f'/plans/{county["missed"]}"' not in east
    project = admin.get("/plans/?project=1").get_data(as_text=True)
    assert "还没有规划的学校" not in project and f'/plans/{county["on_track"]}"' in project
    met = admin.get("/plans/?year=1&stage=MET").get_data(as_text=True)
    assert f'/plans/{county["on_track"]}"' in met and f'/plans/{county["missed"]}"' not in met
    missed = admin.get("/plans/?year=1&stage=MISSED").get_data(as_text=True)
    assert f'/plans/{county["missed"]}"' in missed and f'/plans/{county["on_track"]}"' not in missed
    none = admin.get("/plans/?plan=none").get_data(as_text=True)
    assert "还没有规划的学校" in none and f'/plans/{county["on_track"]}"' not in none
    assert admin.get("/plans/?stage=BOGUS&plan=XYZ").status_code == 200


def test_board_is_scoped_and_exported(app, setup, county):
    inspector = Person(app, setup["inspector"])
    html = inspector.get("/plans/").get_data(as_text=True)
    assert f'/plans/{county["on_track"]}"' in html and f'/plans/{county["missed"]}"' not in html
    book = load_workbook(io.BytesIO(Person(app, setup["admin"]).get("/plans/export.xlsx").data))
    header, *rows = list(book["规划完成情况"].iter_rows(values_only=True))
    assert header[:8] == ("学校代码", "学校", "教育集团", "乡镇", "公办强校", "规划期", "规划状态", "里程碑数")
    by_name = {row[1]: row for row in rows}
    with app.app_context():
        name = db.session.get(School, setup["school"]).name
    assert by_name[name][7:11] == (19, 9, 47, 1) and by_name[name][-3] == "按期达成"
    assert by_name["还没有规划的学校"][6] == "未制定"
    late = list(book["逾期里程碑"].iter_rows(values_only=True))
    assert [row[4] for row in late[1:]] == ["逾期的推门听课达标"] and late[1][6] == 1


def test_board_query_count_does_not_grow_with_schools_and_plans(app, setup, make_plan, make_school, auth, queries_for, start):
    auth.login_as("admin")
    make_plan(setup["school"])
    few = queries_for("/plans/")
    for n in range(5):
        make_plan(make_school(), milestones=[("一", date(start + 1, 6, 30), DONE, date(start + 1, 6, 1)),
                                             ("二", date(start + 1, 9, 30), IN_PROGRESS, None)])
    assert queries_for("/plans/") == few
    plan_id = make_plan(make_school())
    page = queries_for(f"/plans/{plan_id}")
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        for goal in plan.goals:
            goal.milestones.append(Milestone(title="再加一个", due_date=date(start + 2, 3, 1), owner="x", result="y"))
        db.session.commit()
    assert queries_for(f"/plans/{plan_id}") == page


# Home, school page, navigation

def test_school_page_home_and_navigation_show_the_plan(app, setup, county):
    principal = Person(app, setup["principal"])
    home = principal.get("/").get_data(as_text=True)
    assert "三年发展规划" in home and "逾期的推门听课达标" in home and "逾期 1 个" in home
    assert re.search(r'<a href="/plans/schools/\d+" >规划</a>', home)
    school_page = Person(app, setup["inspector"]).get(f"/schools/{setup['school']}").get_data(as_text=True)
    assert "三年发展规划" in school_page and "已批准" in school_page
    for user_id in (setup["inspector"], setup["admin"]):
        assert re.search(r'<a href="/plans/" aria-current="page">规划</a>',
                         Person(app, user_id).get("/plans/").get_data(as_text=True))


def test_every_change_is_audited_with_the_school(app, setup, make_plan):
    plan_id = make_plan(setup["school"])
    _, milestone_id = first_ids(app, plan_id)
    update(Person(app, setup["principal"]), milestone_id, "IN_PROGRESS", "开始", key="key-audit-1")
    from portal.models import AuditLog

    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(AuditLog.entity.in_(["plan_milestone", "plan_milestone_update"]))).all()
        assert {e.entity for e in entries} == {"plan_milestone", "plan_milestone_update"}
        assert all(e.school_id == setup["school"] for e in entries)
        change = next(e for e in entries if e.entity == "plan_milestone" and e.action == "update").changes
        assert change["status"] == ["未开始", "进行中"]
    assert count(app, MilestoneUpdate) == 1 and count(app, PlanEvent) == 0 and count(app, PlanRevision) == 0


def test_a_copied_milestone_on_29_february_moves_to_the_28th():
    assert drafting.shifted(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert drafting.shifted(date(2025, 6, 30), 3) == date(2028, 6, 30)


def test_the_plan_as_a_document(app, setup, make_plan, start):
    """The plan as the school's PDF: every dimension as a heading, each goal's milestones with their date,
    owner, result and (once approved) progress; signed by the school; a draft says it is not approved; the
    school's text is text; another school's principal gets nothing."""
    from portal.pdf.text import full_width_brackets

    from .test_documents import pdf_text

    approved = make_plan(setup["school"], milestones=[
        ("<b>章程</b>修订", date(start + 1, 6, 30), DONE, date(start + 1, 5, 20)),
        ("家长满意度调查", date(start + 1, 6, 30), IN_PROGRESS, None)])
    with app.app_context():
        db.session.get(Plan, approved).approved_at = datetime(start + 1, 3, 1, 17, 0, tzinfo=UTC)  # 3月2日 in Beijing
        db.session.commit()
    principal = Person(app, setup["principal"])
    response = principal.get(f"/documents/plan/{approved}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for d in Dimension:  # a 公文 brackets Chinese full-width: 发展集团（分校）带动
        assert full_width_brackets(d.value) in text
    assert "明确办学方向：<b>" in text and "章程</b>修订" in text  # table cells extract line by line
    assert f"{start + 1}年5月" in text and f"{start + 1}.05.20" not in text  # 完成情况 in 公文 form (the cell wraps)
    assert f"{(today_in(app) - date(start + 1, 6, 30)).days}天" in text
    assert "附件：" in text and "规划实施进展" in text and "合计18" in text  # 9 goals × 2 milestones
    assert f"{start + 1}年3月2日审核批准）" in text and text.count(f"{start + 1}年3月2日") == 2  # and the signature
    draft = make_plan(setup["school"], status=DRAFT, start_year=start + 3)
    text = pdf_text(principal.get(f"/documents/plan/{draft}.pdf").data)
    assert "（草稿，尚未提交审核）" in text and "完成情况" not in text and "附件" not in text
    assert Person(app, setup["neighbour_principal"]).get(f"/documents/plan/{approved}.pdf").status_code == 403
