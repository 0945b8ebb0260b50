"""A year's resource figures as the engine's parts: which schools are in, which are left out (and
why), which have not reported yet. Two queries whatever the number of schools."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ..clock import today
from ..extensions import db
from ..models import BalanceRule, Level, ResourceFigures, School
from . import indicators
from .indicators import Assessment, Part, Rules, SchoolResult

FIRST_YEAR, LAST_YEAR = 2000, 2100


def this_year() -> int:
    """The statistical year: the county's calendar year."""
    return today().year


def years(chosen: int) -> list[int]:
    """The years with figures, this year and `chosen`, newest first."""
    found = set(db.session.scalars(select(ResourceFigures.year).distinct()))
    return sorted(found | {this_year(), chosen}, reverse=True)


def rule_row() -> BalanceRule | None:
    return db.session.scalar(select(BalanceRule).order_by(BalanceRule.id).limit(1))


def rules(row: BalanceRule | None = None) -> Rules:
    row = row or rule_row()
    if row is None:
        return Rules()
    return Rules(row.remaining_rule, row.remaining_share, {Level.PRIMARY: row.goal_primary, Level.JUNIOR: row.goal_junior})


def part_of(school: School, level: Level, figures) -> Part:
    """`figures`: a ResourceFigures row or a mapping of its raw figures (a what-if)."""
    read = figures.get if isinstance(figures, dict) else lambda name: getattr(figures, name)
    return Part(school.id, school.name, level, read("students"),
                {i.key: Decimal(read(i.key)) for i in indicators.INDICATORS})


@dataclass(frozen=True)
class Entry:
    """One part of one school in a year: its figures (None: not reported) or why it is left out."""
    school: School
    level: Level | None           # None for a school left out as a whole (special, vocational)
    figures: ResourceFigures | None
    excluded: str | None
    result: SchoolResult | None


@dataclass(frozen=True)
class Year:
    year: int
    rules: Rules
    entries: list[Entry]
    assessment: Assessment

    def judged(self, level: Level) -> list[Entry]:
        return [e for e in self.entries if e.level is level and e.result is not None]

    @property
    def excluded(self) -> list[Entry]:
        return [e for e in self.entries if e.excluded]

    @property
    def missing(self) -> list[Entry]:
        return [e for e in self.entries if not e.excluded and e.figures is None]

    @property
    def failing(self) -> list[Entry]:
        return [e for e in self.entries if e.result is not None and not e.result.passed]


def schools_in_scope(ids: set[int] | None = None) -> list[School]:
    """Active compulsory-education schools, and the special and vocational ones (shown as left out)."""
    stmt = select(School).where(School.active, School.kind.in_(list(indicators.PARTS)))
    if ids is not None:
        stmt = stmt.where(School.id.in_(ids))
    return list(db.session.scalars(stmt.order_by(School.education_group, School.code)))


def figures_of(year: int, ids: set[int] | None = None) -> dict[tuple[int, Level], ResourceFigures]:
    stmt = select(ResourceFigures).where(ResourceFigures.year == year)
    if ids is not None:
        stmt = stmt.where(ResourceFigures.school_id.in_(ids))
    return {(row.school_id, row.level): row for row in db.session.scalars(stmt)}


def county(year: int, ids: set[int] | None = None, what_if: tuple[int, Level, dict] | None = None,
           rule: Rules | None = None) -> Year:
    """The year's entries and assessment over the schools `ids` (None: the whole county).
    `what_if`: (school id, level, raw figures) in place of what is saved for that part."""
    rule = rule or rules()
    schools = schools_in_scope(ids)
    saved = figures_of(year, ids)
    planned, parts = [], []
    for school in schools:
        levels = indicators.levels_of(school.kind)
        if not levels:
            planned.append((school, None, None, indicators.exclusion(school.kind, school.students), None))
            continue
        for level in levels:
            row = saved.get((school.id, level))
            figures = what_if[2] if what_if and what_if[:2] == (school.id, level) else row
            students = figures["students"] if isinstance(figures, dict) else (row.students if row else school.students)
            reason = indicators.exclusion(school.kind, students)
            part = part_of(school, level, figures) if figures is not None and not reason else None
            if part is not None:
                parts.append(part)
            planned.append((school, level, row, reason, part))
    assessment = indicators.assess(parts, rule)
    results = {(r.part.school_id, r.part.level): r for r in assessment.schools}
    entries = [Entry(school, level, row, reason, results.get((school.id, level)) if part else None)
               for school, level, row, reason, part in planned]
    return Year(year, rule, entries, assessment)
