"""What a plan's milestones add up to: derived status (已逾期), completion by dimension and year, and
whether the school met its stage goals on time. Every rule takes `today`, the county's calendar day
(Asia/Shanghai, portal/clock.today): a milestone due 2026-06-30 is overdue from 2026-07-01
00:00 Beijing time, never from the server's or UTC's midnight.

A plan year is a school year: year 1 of a plan starting 2025 runs 2025-09-01 to 2026-08-31.
"""
import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, extract, not_, or_

from ..clock import Semester
from ..models import Dimension, Milestone, MilestoneStatus, Plan

NOT_STARTED, IN_PROGRESS, DONE, OVERDUE, NOT_MET = (
    MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE, MilestoneStatus.OVERDUE,
    MilestoneStatus.NOT_MET)
OPEN = frozenset({NOT_STARTED, IN_PROGRESS})  # only these can be overdue
SET_BY_HAND = (NOT_STARTED, IN_PROGRESS, DONE, NOT_MET)
YEARS = (1, 2, 3)


def shown(milestone: Milestone, today: date) -> MilestoneStatus:
    """The status to show: 已逾期 when still open after its date, else the stored one."""
    return OVERDUE if is_overdue(milestone, today) else milestone.status


def is_overdue(milestone: Milestone, today: date) -> bool:
    return milestone.status in OPEN and milestone.due_date < today


def days_overdue(milestone: Milestone, today: date) -> int:
    return (today - milestone.due_date).days if is_overdue(milestone, today) else 0


def on_time(milestone: Milestone) -> bool:
    return milestone.status is DONE and milestone.done_on is not None and milestone.done_on <= milestone.due_date


def missed(milestone: Milestone, today: date) -> bool:
    """Declared 未达成, or its date has passed without it being done on time."""
    return milestone.status is NOT_MET or (milestone.due_date < today and not on_time(milestone))


# The same rules as SQL, for the county board and lists.
def overdue_clause(today: date) -> ColumnElement:
    return and_(Milestone.status.in_(OPEN), Milestone.due_date < today)


def on_time_clause() -> ColumnElement:
    return and_(Milestone.status == DONE, Milestone.done_on <= Milestone.due_date)


def missed_clause(today: date) -> ColumnElement:
    return or_(Milestone.status == NOT_MET, and_(Milestone.due_date < today, not_(on_time_clause())))


def plan_year_column(start_year_column) -> ColumnElement:
    """The plan year (1-3) of a milestone's date, in SQL: its school year minus the plan's first."""
    school_year = extract("year", Milestone.due_date) - case((extract("month", Milestone.due_date) < 9, 1), else_=0)
    return school_year - start_year_column + 1


# Plan years and semesters

def school_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def plan_year(plan: Plan, day: date) -> int:
    """1-3 inside the plan's period (0 before it, 4 after)."""
    return min(max(school_year(day) - plan.start_year + 1, 0), 4)


def year_range(plan: Plan, year: int) -> tuple[date, date]:
    return date(plan.start_year + year - 1, 9, 1), date(plan.start_year + year, 8, 31)


def year_label(plan: Plan, year: int) -> str:
    first = plan.start_year + year - 1
    return f"第{'一二三'[year - 1]}年（{first}—{first + 1}学年）"


def semesters(plan: Plan) -> list[Semester]:
    """The plan's six semesters, a milestone's possible target terms."""
    return [Semester(plan.start_year + n // 2, n % 2 + 1) for n in range(6)]


# Tallies

@dataclass
class Tally:
    total: int = 0
    done: int = 0       # 已完成, on time or late
    on_time: int = 0    # 已完成 on or before its date
    overdue: int = 0    # still open after its date
    missed: int = 0     # declared 未达成 or its date passed without being done on time

    @property
    def percent(self) -> int | None:
        return round(self.done * 100 / self.total) if self.total else None

    def add(self, milestone: Milestone, today: date) -> None:
        self.total += 1
        self.done += milestone.status is DONE
        self.on_time += on_time(milestone)
        self.overdue += is_overdue(milestone, today)
        self.missed += missed(milestone, today)


def tally(milestones, today: date) -> Tally:
    found = Tally()
    for milestone in milestones:
        found.add(milestone, today)
    return found


def by_dimension(plan: Plan, today: date) -> dict[Dimension, Tally]:
    found = {dimension: Tally() for dimension in Dimension}
    for goal in plan.goals:
        for milestone in goal.milestones:
            found[goal.dimension].add(milestone, today)
    return found


def by_year(plan: Plan, today: date) -> dict[int, Tally]:
    found = {year: Tally() for year in YEARS}
    for milestone in plan.milestones:
        year = plan_year(plan, milestone.due_date)
        if year in found:
            found[year].add(milestone, today)
    return found


class Stage(enum.Enum):
    """How a plan year's stage goals (its milestones) stand."""
    MET = "按期达成"
    MISSED = "未按期达成"
    PENDING = "进行中"
    NONE = "无阶段目标"


def stage(year_tally: Tally) -> Stage:
    """MET once every milestone of the year is done on time; MISSED as soon as one is missed."""
    if not year_tally.total:
        return Stage.NONE
    if year_tally.missed:
        return Stage.MISSED
    return Stage.MET if year_tally.on_time == year_tally.total else Stage.PENDING


@dataclass
class Summary:
    """A plan at a glance: overall, per dimension, per year and its stage per year."""
    overall: Tally
    dimensions: dict[Dimension, Tally]
    years: dict[int, Tally]
    stages: dict[int, Stage] = field(default_factory=dict)

    def __post_init__(self):
        self.stages = {year: stage(t) for year, t in self.years.items()}


def summary(plan: Plan, today: date) -> Summary:
    return Summary(tally(plan.milestones, today), by_dimension(plan, today), by_year(plan, today))


def attention(plan: Plan, today: date) -> list[Milestone]:
    """The plan's overdue milestones, longest overdue first."""
    return sorted((m for m in plan.milestones if is_overdue(m, today)), key=lambda m: (m.due_date, m.id))


# The approved baseline

def snapshot(plan: Plan) -> dict:
    """The goals and milestones as they are (at approval): what later revisions are compared with."""
    return {"goals": {str(goal.id): {"dimension": goal.dimension.name, "text": goal.text} for goal in plan.goals},
            "milestones": {str(m.id): {"goal": m.goal_id, "title": m.title, "due_date": m.due_date.isoformat(),
                                       "owner": m.owner, "result": m.result}
                           for goal in plan.goals for m in goal.milestones}}


def baseline_due(plan: Plan, milestone: Milestone) -> str | None:
    """The approved date of a milestone when a revision has moved it; None when unchanged or new."""
    approved = ((plan.baseline or {}).get("milestones") or {}).get(str(milestone.id))
    if approved and approved["due_date"] != milestone.due_date.isoformat():
        return approved["due_date"]
    return None


def added_after_approval(plan: Plan, thing) -> bool:
    """A goal or milestone that a revision added (not in the approved baseline)."""
    if not plan.baseline:
        return False
    part = "goals" if thing.__tablename__ == "plan_goal" else "milestones"
    return str(thing.id) not in plan.baseline[part]
