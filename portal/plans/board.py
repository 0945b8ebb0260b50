"""The county board: every school's current plan, its state and completion per dimension and per
year, and the milestones that are late county-wide. A fixed number of queries whatever the number
of schools: the tallies are counted in SQL (GROUP BY plan and dimension, plan and year) with the
same rules as progress.py."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, load_only

from ..extensions import db
from ..models import Dimension, Goal, Milestone, MilestoneStatus, Plan, PlanStatus, School
from ..schools.queries import filtered
from ..security import Action, scoped
from . import progress
from .progress import Stage, Summary, Tally


@dataclass
class Row:
    school: School
    plan: Plan | None
    summary: Summary | None = None
    year: int = 0  # the plan year it is today (0 before the period, 4 after)
    stages: dict[int, Stage] = field(default_factory=dict)

    @property
    def approved(self) -> bool:
        return self.plan is not None and self.plan.status is PlanStatus.APPROVED


def current(plans: list[Plan], today: date) -> Plan | None:
    """The plan whose period holds today, else the latest begun, else the next to come."""
    year = progress.school_year(today)
    running = [p for p in plans if p.start_year <= year < p.start_year + 3]
    begun = [p for p in plans if p.start_year <= year]
    if running or begun:
        return max(running or begun, key=lambda p: p.start_year)
    return min(plans, key=lambda p: p.start_year, default=None)


def tally_columns(today: date):
    """The Tally fields counted in SQL over joined milestones (the rules of progress.py)."""
    return (func.count(Milestone.id), func.count().filter(Milestone.status == MilestoneStatus.DONE),
            func.count().filter(progress.on_time_clause()), func.count().filter(progress.overdue_clause(today)),
            func.count().filter(progress.missed_clause(today)))


def tallies(plan_ids: list[int], today: date) -> tuple[dict, dict]:
    """{(plan id, dimension): Tally} and {(plan id, plan year): Tally}, two queries."""
    if not plan_ids:
        return {}, {}
    joined = select().select_from(Goal).join(Milestone, Milestone.goal_id == Goal.id).where(Goal.plan_id.in_(plan_ids))
    # By the dimension's number, not its enum column: no label lookup for each of the 270 × 9 rows.
    by_dimension = (joined.add_columns(Goal.plan_id, Goal.dimension_order, *tally_columns(today))
                    .group_by(Goal.plan_id, Goal.dimension_order))
    year = progress.plan_year_column(Plan.start_year)
    by_year = (joined.join(Plan, Plan.id == Goal.plan_id).add_columns(Goal.plan_id, year, *tally_columns(today))
               .group_by(Goal.plan_id, year))
    dimensions = list(Dimension)
    return ({(plan_id, dimensions[part]): Tally(*counts) for plan_id, part, *counts in db.session.execute(by_dimension)},
            {(plan_id, int(part)): Tally(*counts) for plan_id, part, *counts in db.session.execute(by_year)})


def rows(schools: Select, today: date) -> list[Row]:
    """One row per school of `schools` (already scoped and filtered), with its current plan summed up."""
    found = db.session.scalars(schools).all()
    plans: dict[int, list[Plan]] = {}
    if found:
        stmt = select(Plan).where(Plan.school_id.in_([s.id for s in found])).options(
            load_only(Plan.id, Plan.school_id, Plan.start_year, Plan.title, Plan.status))  # not the baseline's JSON
        for plan in db.session.scalars(stmt):
            plans.setdefault(plan.school_id, []).append(plan)
    result = [Row(school, current(plans.get(school.id, []), today)) for school in found]
    dimensions, years = tallies([row.plan.id for row in result if row.plan], today)
    for row in result:
        if row.plan is None:
            continue
        parts = {d: dimensions.get((row.plan.id, d), Tally()) for d in Dimension}
        overall = Tally(*(sum(getattr(t, name) for t in parts.values()) for name in Tally.__dataclass_fields__))
        row.summary = Summary(overall, parts, {y: years.get((row.plan.id, y), Tally()) for y in progress.YEARS})
        row.year = progress.plan_year(row.plan, today)
        row.stages = row.summary.stages if row.approved else {}
    return result


def heat(t: Tally, approved: bool) -> str:
    """A board cell's classes: completion in five shades (none, <25, <50, <75, <100, all), late work marked.
    Plain Python: the board has 270 × 9 of them (a Jinja macro each would double the page's time)."""
    if not t.total:
        return "heat heat-none"
    p = t.percent
    shade = 0 if p == 0 else 1 if p < 25 else 2 if p < 50 else 3 if p < 75 else 4 if p < 100 else 5
    return f"heat heat-{shade}" + (" heat-late" if approved and t.overdue else "")


def narrowed(found: list[Row], plan: str = "", year: str = "", stage: str = "") -> list[Row]:
    """The board's own filters: the plan's state ("none": no plan yet) and a year's stage."""
    if plan == "none":
        found = [r for r in found if r.plan is None]
    elif plan:
        found = [r for r in found if r.plan is not None and r.plan.status.name == plan]
    if stage:
        found = [r for r in found if r.stages.get(int(year) if year else r.year) is Stage[stage]]
    return found


def overdue(schools: Select, today: date, limit: int = 200) -> list[Milestone]:
    """Late milestones of approved plans at these schools, longest overdue first."""
    ids = schools.with_only_columns(School.id).order_by(None)
    stmt = (select(Milestone).join(Milestone.goal).join(Goal.plan).join(Plan.school)
            .where(Plan.status == PlanStatus.APPROVED, progress.overdue_clause(today), Plan.school_id.in_(ids))
            .options(contains_eager(Milestone.goal).contains_eager(Goal.plan).load_only(Plan.id, Plan.school_id,
                                                                                       Plan.status),
                     contains_eager(Milestone.goal).contains_eager(Goal.plan).contains_eager(Plan.school))
            .order_by(Milestone.due_date, Milestone.id).limit(limit))
    return db.session.scalars(stmt).all()


def school_query(filters: dict) -> Select:
    """The schools the user sees, by the school list's own filters."""
    return scoped(filtered(**filters), School.id, Action.VIEW)
