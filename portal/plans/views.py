"""一校一规划: the school writes its three-year plan by the nine dimensions and submits it; the office
(or the assigned expert inspector) comments per goal and returns or approves it; the principal keeps
the milestones up to date from a tablet with evidence (milestones.py); annual self-assessment, the
office's mid-term and final evaluation (evaluation.py); the county board."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from .. import errors, excel
from ..extensions import db
from ..htmx import render, see_other
from ..idempotency import committed, made, new_key
from ..models import Dimension, Goal, Milestone, MilestoneUpdate, Plan, PlanEvent, PlanFile, PlanStep, School
from ..security import Action, authorize, load, load_own
from . import board, drafting, export, progress, queries, workflow
from .forms import BoardFilterForm, GoalForm, KeyForm, MilestoneForm, PlanForm, ReviewerForm, review_form

bp = Blueprint("plans", __name__, url_prefix="/plans")
bp.add_app_template_global(progress.shown, "milestone_status")
bp.add_app_template_global(progress.days_overdue, "milestone_days_overdue")
bp.add_app_template_global(progress.baseline_due, "baseline_due")
bp.add_app_template_filter(lambda code: clock.parse_semester(code).name if clock.parse_semester(code) else code, "semester_name")


@bp.context_processor
def page_helpers() -> dict:
    """Helpers of the plans' own pages. plans/macros.html, also shown on the school page and the
    homes, reads its helpers as app-wide globals above (an imported macro sees no page context)."""
    return dict(added_after_approval=progress.added_after_approval, plan_year_label=progress.year_label,
                heat_class=board.heat)


@bp.errorhandler(workflow.Refused)
def refused(problem: workflow.Refused):
    db.session.rollback()
    return errors.respond(409, str(problem))


def load_goal(goal_id: int, action: Action = Action.EDIT) -> Goal:
    return load(Goal, goal_id, action, joinedload(Goal.plan))


def load_milestone(milestone_id: int, action: Action = Action.VIEW) -> Milestone:
    return load(Milestone, milestone_id, action, joinedload(Milestone.goal).joinedload(Goal.plan).joinedload(Plan.school),
                selectinload(Milestone.files).selectinload(PlanFile.attachment),
                selectinload(Milestone.updates).joinedload(MilestoneUpdate.actor))


def to_plan(plan: Plan, anchor: str | None = None):
    return see_other(url_for("plans.detail", plan_id=plan.id, _anchor=anchor))


def to_milestone(milestone: Milestone, anchor: str | None = None):
    return see_other(url_for("plans.milestone", milestone_id=milestone.id, _anchor=anchor))


# The county board

def _board():
    authorize(Action.VIEW)
    filters = BoardFilterForm(request.args)
    filters.validate()
    today = clock.today()
    schools = board.school_query(filters.school_filters())
    found = board.narrowed(board.rows(schools, today), **filters.board_filters())
    return filters, today, found, schools


@bp.get("/")
def index():
    filters, today, found, schools = _board()
    return render("plans/board.html", "results", filters=filters, rows=found, today=today, dimensions=list(Dimension),
                  late=board.overdue(schools, today))


@bp.get("/export.xlsx")
def export_board():
    _, today, found, schools = _board()
    return excel.download(export.workbook(found, board.overdue(schools, today, limit=None), today),
                          f"一校一规划-{today.isoformat()}.xlsx")


# A school's plans, a new plan

@bp.get("/schools/<int:school_id>")
def school_plans(school_id: int):
    school = load(School, school_id, Action.VIEW)
    plans = db.session.scalars(select(Plan).where(Plan.school_id == school.id).order_by(Plan.start_year.desc())
                               .options(queries.WITH_MILESTONES)).all()
    today = clock.today()
    return render("plans/school.html", school=school, today=today,
                  plans=[(plan, progress.summary(plan, today)) for plan in plans])


@bp.route("/schools/<int:school_id>/new", methods=["GET", "POST"])
def create(school_id: int):
    school = load(School, school_id, Action.EDIT)
    today = clock.today()
    form = PlanForm(school.id, today, data={"key": new_key(), "start_year": progress.school_year(today)})
    if request.method == "POST" and (existing := made(Plan, form.key.data, Plan.school_id == school.id)) is not None:
        return to_plan(existing)  # a second tap on 创建
    if form.validate_on_submit():
        plan = workflow.create(Plan(school_id=school.id, start_year=form.start_year.data, client_key=form.key.data,
                                    title=form.title.data or drafting.default_title(school.name, form.start_year.data)),
                               actor_id=current_user.id)
        if form.source.data:
            plan.based_on = next(p for p in form.existing if p.id == form.source.data)
            drafting.copy_from(plan.based_on, plan)
        if not committed():
            return to_plan(made(Plan, form.key.data, Plan.school_id == school.id) or abort(409))
        flash("规划已创建。请在九个维度下填写目标和里程碑，完成后提交审核。", "success")
        return to_plan(plan)
    return render("plans/new.html", "form", form=form, school=school, status=422 if form.errors else 200)


# The plan page

@bp.get("/<int:plan_id>")
def detail(plan_id: int):
    return _detail(queries.load_plan(plan_id))


def _detail(plan: Plan, block: str | None = None, status: int = 200, **forms):
    today = clock.today()
    approved = plan.status is workflow.APPROVED
    forms.setdefault("review_form", review_form(plan, formdata=None, data={"key": new_key()}))
    forms.setdefault("reviewer_form", ReviewerForm(plan.school_id, formdata=None, data={"reviewer": plan.reviewer_id}))
    return render("plans/detail.html", block, plan=plan, today=today, approved=approved, dimensions=list(Dimension),
                  summary=progress.summary(plan, today), attention=progress.attention(plan, today) if approved else [],
                  years=progress.YEARS, current_year=progress.plan_year(plan, today), submit_form=KeyForm(
                      formdata=None, data={"key": new_key()}), missing=workflow.missing(plan), status=status, **forms)


@bp.post("/<int:plan_id>/reviewer")
def assign_reviewer(plan_id: int):
    """The office names the expert inspector who reviews the plan (or none: the office itself)."""
    plan = load(Plan, plan_id, Action.MANAGE)
    form = ReviewerForm(plan.school_id)
    if not form.validate_on_submit():  # a choice gone meanwhile (the inspector moved to another 责任区)
        return _detail(plan, status=422, reviewer_form=form)
    plan.reviewer_id = form.reviewer.data
    db.session.commit()
    flash("已指定审核专家。" if plan.reviewer_id else "改由督导室审核。", "success")
    return to_plan(plan)


@bp.post("/<int:plan_id>/submit")
def submit(plan_id: int):
    plan = queries.load_plan(plan_id, workflow.TRANSITIONS[PlanStep.SUBMIT].action)
    form = KeyForm()
    if not form.validate():
        abort(400)
    workflow.apply(plan, PlanStep.SUBMIT, actor_id=current_user.id, key=form.key.data or None)
    if committed():
        flash("规划已提交，等待审核。", "success")
    return to_plan(plan)


@bp.post("/<int:plan_id>/review")
def review(plan_id: int):
    """The reviewer's verdict: approved (the baseline is kept) or returned with comments per goal."""
    plan = load_own(Plan, plan_id, Action.INSPECT, "reviewer_id", *queries.PLAN_PAGE)
    form = review_form(plan)
    if made(PlanEvent, form.key.data) is None:
        workflow.check(plan, PlanStep.APPROVE)  # both verdicts need a plan awaiting review
        if not form.validate_on_submit():
            return _detail(plan, None, 422, review_form=form)  # the page: comments sit beside their goals
        step = PlanStep.APPROVE if form.decision.data == "approve" else PlanStep.RETURN
        workflow.apply(plan, step, actor_id=current_user.id, comment=form.comment.data, key=form.key.data,
                       goal_comments=form.goal_comments())
        if committed():
            flash("规划已批准。" if step is PlanStep.APPROVE else "已退回学校修改。", "success")
    return to_plan(plan)


# Goals and milestones (free while drafting, recorded revisions once approved)

@bp.route("/<int:plan_id>/goals/new", methods=["GET", "POST"])
def add_goal(plan_id: int):
    plan = queries.load_plan(plan_id, Action.EDIT)
    form = GoalForm(revising=workflow.check_editable(plan), data={
        "key": new_key(), "dimension": Dimension.__members__.get(request.args.get("dimension", ""))})
    if form.validate_on_submit():
        if made(Goal, form.key.data) is None:  # not a resend
            goal = Goal(dimension=form.dimension.data, text=form.text.data, client_key=form.key.data)
            plan.goals.append(goal)
            workflow.revise(plan, [f"新增目标（{goal.dimension.value}）“{drafting.short(goal.text)}”"],
                            actor_id=current_user.id, reason=form.reason_text)
            if committed():
                flash("目标已添加。", "success")
        return to_plan(plan, f"dim-{form.dimension.data.name}")
    return render("plans/goal_form.html", "form", form=form, goal=None, plan=plan, status=422 if form.errors else 200)


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def edit_goal(goal_id: int):
    goal = load_goal(goal_id)
    form = GoalForm(revising=workflow.check_editable(goal.plan), with_dimension=False,
                    data={"text": goal.text, "key": new_key()})
    if form.validate_on_submit():
        workflow.revise(goal.plan, drafting.change_goal(goal, form.text.data), actor_id=current_user.id,
                        reason=form.reason_text)
        db.session.commit()
        flash("目标已保存。", "success")
        return to_plan(goal.plan, f"goal-{goal.id}")
    return render("plans/goal_form.html", "form", form=form, goal=goal, plan=goal.plan,
                  status=422 if form.errors else 200)


@bp.post("/goals/<int:goal_id>/delete")
def delete_goal(goal_id: int):
    goal = load_goal(goal_id)
    plan = goal.plan
    workflow.check_removable(plan)
    db.session.delete(goal)
    db.session.commit()
    flash("目标已删除。", "success")
    return to_plan(plan)


@bp.route("/goals/<int:goal_id>/milestones/new", methods=["GET", "POST"])
def add_milestone(goal_id: int):
    goal = load_goal(goal_id)
    plan = goal.plan
    form = MilestoneForm(plan, revising=workflow.check_editable(plan), data={"key": new_key()})
    if form.validate_on_submit():
        if made(Milestone, form.key.data) is None:
            milestone = Milestone(client_key=form.key.data, title=form.title.data, due_date=form.chosen_due,
                                  term=form.term.data or None, owner=form.owner.data, result=form.result.data)
            goal.milestones.append(milestone)
            workflow.revise(plan, [f"目标“{drafting.short(goal.text)}”新增里程碑“{drafting.short(milestone.title)}”"
                                   f"（{milestone.due_date}）"], actor_id=current_user.id, reason=form.reason_text)
            if committed():
                flash("里程碑已添加。", "success")
        return to_plan(plan, f"goal-{goal.id}")
    return render("plans/milestone_form.html", "form", form=form, goal=goal, plan=plan, milestone=None,
                  status=422 if form.errors else 200)


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
def edit_milestone(milestone_id: int):
    milestone = load_milestone(milestone_id, Action.EDIT)
    goal, plan = milestone.goal, milestone.goal.plan
    form = MilestoneForm(plan, revising=workflow.check_editable(plan), data=dict(
        title=milestone.title, term=milestone.term or "", due_date=None if milestone.term else milestone.due_date,
        owner=milestone.owner, result=milestone.result, key=new_key()))
    if form.validate_on_submit():
        changes = drafting.change_milestone(milestone, dict(
            title=form.title.data, due_date=form.chosen_due, term=form.term.data or None, owner=form.owner.data,
            result=form.result.data), MilestoneForm.LABELS)
        workflow.revise(plan, changes, actor_id=current_user.id, reason=form.reason_text)
        db.session.commit()
        flash("里程碑已保存。", "success")
        return to_plan(plan, f"goal-{goal.id}")
    return render("plans/milestone_form.html", "form", form=form, goal=goal, plan=plan, milestone=milestone,
                  status=422 if form.errors else 200)


@bp.post("/milestones/<int:milestone_id>/delete")
def delete_milestone(milestone_id: int):
    milestone = load_milestone(milestone_id, Action.EDIT)
    plan = milestone.goal.plan
    workflow.check_removable(plan)
    db.session.delete(milestone)
    db.session.commit()
    flash("里程碑已删除。", "success")
    return to_plan(plan, f"goal-{milestone.goal_id}")


# The blueprint's other pages join bp as they are imported: a milestone's progress from the tablet
# (milestones.py), the self-assessment and the evaluations (evaluation.py).
from . import evaluation, milestones  # noqa: E402,F401
