"""The county at a glance (全县概览): every figure is an aggregate in SQL over the schools the user
may see, narrowed by the filters (semester, school kind, group, township, project schools; and which
results: a checklist template, a round, a round mode), so a page's query count and time do not grow
with the records behind it. Each function returns plain rows: the page draws them as charts with
their numbers in a table, the workbook as sheets. Scores are never averaged over unlike checklists:
a school's or a group's average is per template, and the ranking (supervision/ranking.py) is of one
round or of one template over the semester."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, case, func, select, true

from .. import clock
from ..extensions import db
from ..models import (ChecklistTemplate, Dimension, Goal, Inspection, InspectionStatus, Milestone, Observation,
                      ObservationStatus, Plan, PlanStatus, RectificationItem, Role, Round, RoundMode, School,
                      TemplateVersion, User)
from ..observations.queries import quota_table
from ..plans import board, progress
from ..plans.progress import Tally
from ..rectification.overdue import overdue_clause
from ..rectification.workflow import AWAITING_SCHOOL
from ..schools.queries import filtered
from ..security import Action, readable_inspections_clause, school_ids, scoped
from ..supervision import ranking, standings

DONE = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)


@dataclass(frozen=True)
class Scope:
    """Which schools and which days the figures cover."""
    schools: Select | None   # ids of the schools (visible to the user, matching the filters); None: all
    semester: clock.Semester
    today: date
    template_id: int | None = None      # results on this checklist template only
    round: Round | None = None          # results of this round only (whatever their dates)
    mode: RoundMode | None = None       # results of rounds of this mode only

    @property
    def days(self):
        return self.semester.start, self.semester.end

    def covers(self, school_column) -> ColumnElement:
        """The condition that keeps rows of the covered schools. For the whole county there is none:
        an IN over every school would lead SQLite to walk the school index instead of the dates."""
        return true() if self.schools is None else school_column.in_(self.schools)


def scope_of(form, today: date) -> Scope:
    """The filters' schools within the user's reach, closed ones included (their past work counts)."""
    chosen = {name: form[name].data for name in form.SCHOOL_FIELDS}
    results = dict(template_id=form.chosen("template"), mode=form.chosen("mode"),
                   round=db.session.get(Round, form.chosen("round")) if form.chosen("round") else None)
    if school_ids(current_user, Action.VIEW) is None and not any(chosen.values()):
        return Scope(None, form.chosen_semester, today, **results)
    schools = scoped(filtered(**chosen, status="all"), School.id, Action.VIEW).with_only_columns(School.id).order_by(None)
    return Scope(schools, form.chosen_semester, today, **results)


def which_results(scope: Scope, dated: bool = True) -> ColumnElement:
    """The inspections the result filters keep: the round's, else (when `dated`) the semester's, on
    the template, of rounds of the mode."""
    if scope.round is not None:
        return Inspection.round_id == scope.round.id
    kept = [Inspection.visit_date.between(*scope.days)] if dated else []
    if scope.template_id:
        kept.append(Inspection.version_id.in_(select(TemplateVersion.id).where(
            TemplateVersion.template_id == scope.template_id)))
    if scope.mode:
        kept.append(Inspection.round_id.in_(select(Round.id).where(Round.mode == scope.mode)))
    return and_(true(), *kept)


def _average(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


@dataclass
class RoundRow:
    round: Round
    schools: int
    handed_in: int   # submitted or approved
    approved: int
    late: int

    @property
    def share(self) -> int:
        return round(100 * self.handed_in / self.schools) if self.schools else 0


def rounds(scope: Scope) -> list[RoundRow]:
    """Rounds whose window meets the semester: their schools, handed in, approved, late."""
    start, end = scope.days
    handed = Inspection.status.in_(DONE)
    rows = db.session.execute(
        select(Round, func.count(Inspection.id), func.count().filter(handed),
               func.count().filter(Inspection.status == InspectionStatus.APPROVED),
               func.count().filter(~handed & (Round.ends_on < scope.today)))
        .join(Inspection, Inspection.round_id == Round.id)
        .where(scope.covers(Inspection.school_id), *_rounds_kept(scope, start, end))
        .group_by(Round.id).order_by(Round.ends_on.desc(), Round.id.desc()))
    return [RoundRow(*row) for row in rows]


def _rounds_kept(scope: Scope, start: date, end: date) -> list[ColumnElement]:
    if scope.round is not None:
        return [Round.id == scope.round.id]
    kept = [Round.starts_on <= end, Round.ends_on >= start]
    if scope.template_id:
        kept.append(Round.version_id.in_(select(TemplateVersion.id).where(
            TemplateVersion.template_id == scope.template_id)))
    if scope.mode:
        kept.append(Round.mode == scope.mode)
    return kept


@dataclass
class ScoreRow:
    label: str
    inspections: int
    average: Decimal | None
    critical: int


def results() -> ColumnElement:
    """The inspections whose results count for the user: handed in, and readable by them (a result
    the office has not approved is the inspectors' own: principals and leaders count approved ones)."""
    return and_(Inspection.status.in_(DONE), readable_inspections_clause())


def _done_in_semester(stmt: Select, scope: Scope) -> Select:
    return stmt.where(results(), which_results(scope), scope.covers(Inspection.school_id))


def scores_by(scope: Scope, column) -> list[ScoreRow]:
    """Handed-in inspections of the semester grouped by `column` (a school's name, its group) and
    checklist template: how many, the average percent, how many failed a critical (一票否决) item.
    Worst average first. The template is named after the label when there is more than one."""
    stmt = _done_in_semester(
        select(column, ChecklistTemplate.name, func.count(), func.avg(Inspection.percent),
               func.count().filter(Inspection.critical_failed))
        .select_from(Inspection).join(School, School.id == Inspection.school_id)
        .join(TemplateVersion, TemplateVersion.id == Inspection.version_id)
        .join(ChecklistTemplate, ChecklistTemplate.id == TemplateVersion.template_id)
        .group_by(column, ChecklistTemplate.name), scope)
    found = db.session.execute(stmt).all()
    several = len({template for _, template, *_ in found}) > 1
    rows = [ScoreRow(f"{label or '未分组'} · {template}" if several else (label or "未分组"), n, _average(avg), critical)
            for label, template, n, avg, critical in found]
    return sorted(rows, key=lambda r: (r.average is None, r.average or 0, r.label))


def bands(scope: Scope) -> list[tuple[str, int]]:
    """How many handed-in inspections fell in each band, most first."""
    stmt = _done_in_semester(select(Inspection.band, func.count()).group_by(Inspection.band), scope)
    return sorted(((band or "未评定", n) for band, n in db.session.execute(stmt)), key=lambda r: -r[1])


def critical_failures(scope: Scope) -> list[Inspection]:
    stmt = _done_in_semester(select(Inspection).where(Inspection.critical_failed), scope)
    return db.session.scalars(stmt.order_by(Inspection.visit_date.desc())).all()


def trend(scope: Scope, count: int = 6) -> list[tuple[clock.Semester, int, Decimal | None]]:
    """The average percent of handed-in inspections for each of the last `count` semesters (one query)."""
    terms = list(reversed(clock.recent_semesters(scope.semester.end, count)))
    which = case(*((Inspection.visit_date.between(t.start, t.end), t.code) for t in terms), else_=None)
    stmt = (select(which, func.count(), func.avg(Inspection.percent))
            .where(results(), scope.covers(Inspection.school_id), which_results(scope, dated=False),
                   Inspection.visit_date.between(terms[0].start, terms[-1].end)).group_by(which))
    found = {code: (n, _average(avg)) for code, n, avg in db.session.execute(stmt)}
    return [(t, *found.get(t.code, (0, None))) for t in terms]


@dataclass
class Ranking:
    title: str
    standings: list[ranking.Standing]
    compared_with: str   # what the rank change is since, in words ("" when there is nothing comparable)


def ranking_of(scope: Scope) -> Ranking | None:
    """The round's ranking, or the template's over the semester (of the mode's rounds), with only the
    places of the schools in scope; None when neither a round nor a template is chosen."""
    if scope.round is not None:
        before = standings.previous_round(scope.round)
        found = Ranking(scope.round.name, standings.of_round(scope.round), f"上一批次“{before.name}”（同一检查表、同一督导方式）" if before else "")
    elif scope.template_id:
        template = db.session.get(ChecklistTemplate, scope.template_id)
        found = Ranking(f"{template.name} · {scope.semester.name}" + (f" · {scope.mode.value}" if scope.mode else ""),
                        standings.of_term(scope.template_id, scope.semester, scope.mode),
                        f"上一学期（{scope.semester.previous().name}）同一检查表" + ("、同一督导方式" if scope.mode else ""))
    else:
        return None
    if scope.schools is not None:
        seen = set(db.session.scalars(scope.schools))
        for standing in found.standings:
            standing.places = [p for p in standing.places if p.result.school_id in seen]
        found.standings = [s for s in found.standings if s.places]
    return found


@dataclass
class RectificationRow:
    label: str
    open: int
    overdue: int


def rectification_by(scope: Scope, column, target, onclause, outer: bool = False) -> list[RectificationRow]:
    """Items still awaiting the school, and of those the overdue ones, grouped by `column`; the
    groups with any open, most overdue first."""
    item = RectificationItem
    stmt = (select(column, func.count().filter(item.status.in_(AWAITING_SCHOOL)),
                   func.count().filter(overdue_clause(scope.today)))
            .select_from(item).join(target, onclause, isouter=outer)
            .where(scope.covers(item.school_id)).group_by(column))
    rows = [RectificationRow(label or "未指定", n, late) for label, n, late in db.session.execute(stmt) if n]
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.label))


def rectification_by_school(scope: Scope) -> list[RectificationRow]:
    return rectification_by(scope, School.name, School, School.id == RectificationItem.school_id)


def rectification_by_inspector(scope: Scope) -> list[RectificationRow]:
    return rectification_by(scope, User.display_name, User, User.id == RectificationItem.inspector_id, outer=True)


@dataclass
class ObserverRow:
    name: str
    role: Role
    count: int
    quota: int

    @property
    def share(self) -> int:
        return round(100 * self.count / self.quota) if self.quota else 100


def observers(scope: Scope) -> list[ObserverRow]:
    """Each leader's and inspector's finished lessons this semester at the schools in scope, against
    their role's quota; the furthest behind first."""
    start, end = scope.days
    counted = (select(Observation.observer_id, func.count().label("n"))
               .where(Observation.status == ObservationStatus.FINAL, Observation.observed_on.between(start, end),
                      scope.covers(Observation.school_id)).group_by(Observation.observer_id).subquery())
    stmt = (select(User.display_name, User.role, func.coalesce(counted.c.n, 0))
            .outerjoin(counted, counted.c.observer_id == User.id)
            .where(User.role.in_([Role.LEADER, Role.INSPECTOR]), User.active))
    quotas = quota_table()
    rows = [ObserverRow(name, role, n, quotas.get(role, 0)) for name, role, n in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: (r.share, r.name))


def plan_dimensions(scope: Scope) -> list[tuple[Dimension, Tally]]:
    """Milestones of the approved plans running this school year, per dimension: done, late, missed."""
    year = progress.school_year(scope.today)
    stmt = (select(Goal.dimension_order, *board.tally_columns(scope.today)).select_from(Goal)
            .join(Milestone, Milestone.goal_id == Goal.id).join(Plan, Plan.id == Goal.plan_id)
            .where(scope.covers(Plan.school_id), Plan.status == PlanStatus.APPROVED,
                   Plan.start_year <= year, Plan.start_year + 3 > year)
            .group_by(Goal.dimension_order))
    found = {order: Tally(*counts) for order, *counts in db.session.execute(stmt)}
    return [(dimension, found.get(order, Tally())) for order, dimension in enumerate(Dimension)]


def figures(scope: Scope, county: bool) -> dict:
    """Everything the overview shows. `county`: the user sees every school (the office, leaders), so
    the observers' counts against their quotas are whole and can be shown."""
    return dict(semester=scope.semester, rounds=rounds(scope), by_school=scores_by(scope, School.name),
                by_group=scores_by(scope, School.education_group), bands=bands(scope),
                critical=critical_failures(scope), trend=trend(scope), ranking=ranking_of(scope),
                rect_schools=rectification_by_school(scope), rect_inspectors=rectification_by_inspector(scope),
                plans=plan_dimensions(scope), observers=observers(scope) if county else None)
