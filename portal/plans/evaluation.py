"""A plan's evaluations: the school's annual self-assessment per goal, the office's mid-term and final evaluation."""
from flask import abort, flash, url_for
from flask_login import current_user

from .. import clock
from ..htmx import is_partial, render, see_other
from ..idempotency import committed
from ..models import (Dimension, EvaluationKind, EvaluationRating, Goal, GoalRating, Plan, PlanEvaluation,
                      SelfAssessment)
from ..security import Action
from . import progress, queries, workflow
from .forms import AssessmentForm, evaluation_form
from .views import bp, load_goal, to_plan


def plan_year(year: int) -> int:
    """A plan year from the URL (1-3), or 404."""
    return year if year in progress.YEARS else abort(404)


@bp.get("/<int:plan_id>/self-assessment/<int:year>")
def self_assessment(plan_id: int, year: int):
    plan = queries.load_plan(plan_id)
    return _assessment(plan, plan_year(year))


def _assessment(plan: Plan, year: int, block: str | None = None, status: int = 200, goal: Goal | None = None,
                failed: AssessmentForm | None = None):
    """The year's self-assessment page, or one goal's part of it (`goal`, with its `failed` form)."""
    today = clock.today()
    start, end = progress.year_range(plan, year)
    forms = {}
    for each in [goal] if goal else plan.goals:
        given = next((a for a in each.assessments if a.year == year), None)
        forms[each.id] = AssessmentForm(formdata=None, data={"rating": given.rating.name, "text": given.text} if given else {})
    if failed is not None:
        forms[goal.id] = failed
    return render("plans/assessment.html", block, plan=plan, year=year, today=today, start=start, end=end,
                  started=today >= start, forms=forms, goal=goal, status=status)


@bp.post("/goals/<int:goal_id>/self-assessment/<int:year>")
def assess_goal(goal_id: int, year: int):
    goal = load_goal(goal_id)
    plan = goal.plan
    plan_year(year)
    workflow.check_progress(plan)
    if clock.today() < progress.year_range(plan, year)[0]:
        raise workflow.Refused("这一规划年度尚未开始，不能自评。")
    form = AssessmentForm()
    if not form.validate_on_submit():
        return _assessment(plan, year, "goal", 422, goal, form)
    given = next((a for a in goal.assessments if a.year == year), None)
    if given is None:
        given = SelfAssessment(year=year)
        goal.assessments.append(given)
    given.rating, given.text, given.author_id = GoalRating[form.rating.data], form.text.data, current_user.id
    if committed():
        flash("自评已保存。", "success")
    if is_partial():
        return _assessment(plan, year, "goal", goal=goal)
    return see_other(url_for("plans.self_assessment", plan_id=plan.id, year=year, _anchor=f"goal-{goal.id}"))


@bp.route("/<int:plan_id>/evaluations/<kind>", methods=["GET", "POST"])
def evaluate(plan_id: int, kind: str):
    plan = queries.load_plan(plan_id, Action.MANAGE)
    kind = EvaluationKind.__members__.get(kind.upper()) or abort(404)
    workflow.check_progress(plan)
    given = next((e for e in plan.evaluations if e.kind is kind), None)
    data = {"conclusion": given.conclusion, **{f"dim_{r.dimension.name}": r.rating for r in given.ratings}} if given else {}
    form = evaluation_form(data=data)
    if form.validate_on_submit():
        if given is None:
            given = PlanEvaluation(kind=kind)
            plan.evaluations.append(given)
        given.conclusion, given.evaluator_id = form.conclusion.data, current_user.id
        ratings = {r.dimension: r for r in given.ratings}
        for dimension, rating in form.ratings().items():
            if dimension in ratings:
                ratings[dimension].rating = rating
            else:
                given.ratings.append(EvaluationRating(dimension=dimension, rating=rating))
        if committed():
            flash(f"{kind.value}已保存。", "success")
        return to_plan(plan, "evaluations")
    today = clock.today()
    return render("plans/evaluation.html", "form", plan=plan, kind=kind, form=form, summary=progress.summary(plan, today),
                  today=today, years=progress.YEARS, dimensions=list(Dimension), status=422 if form.errors else 200)
