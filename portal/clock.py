"""The county's clock and calendar: "today" and times as the county reads them (Asia/Shanghai,
setting TIMEZONE), never the server's zone or UTC, and the school semesters (学期).

A semester: the autumn term, September to January, is the first semester of the school year that
starts in September; the spring term, February to August (the summer counts with the year it
ends), is its second. "2026—2027学年第一学期" runs 2026-09-01 to 2027-01-31. Dates are Beijing
dates: a lesson seen on 1 February at 00:30 in the county is in the spring term even though it is
still 31 January in UTC.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from .models import utcnow


def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """UTC in the database, Beijing time on the page."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def local_date(value: datetime) -> date:
    """The calendar day it is in the county at the moment `value` (a date of the county's, not UTC's)."""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def today(now: datetime | None = None) -> date:
    """The county's calendar day at `now` (default: this moment), whatever the server's own zone."""
    return local_date(now or utcnow())


@dataclass(frozen=True, order=True)
class Semester:
    year: int   # the calendar year the school year starts in (September)
    term: int   # 1: autumn (Sep-Jan), 2: spring (Feb-Aug)

    @property
    def start(self) -> date:
        return date(self.year, 9, 1) if self.term == 1 else date(self.year + 1, 2, 1)

    @property
    def end(self) -> date:
        """The last day (inclusive)."""
        return date(self.year + 1, 2, 1) - timedelta(days=1) if self.term == 1 else date(self.year + 1, 8, 31)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.term}"

    @property
    def name(self) -> str:
        return f"{self.year}—{self.year + 1}学年第{'一' if self.term == 1 else '二'}学期"

    @property
    def short(self) -> str:
        """A chart's label: 2026—2027上 (上/下: the first and second semester)."""
        return f"{self.year}—{self.year + 1}{'上' if self.term == 1 else '下'}"

    def previous(self) -> "Semester":
        return Semester(self.year, 1) if self.term == 2 else Semester(self.year - 1, 2)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Period:
    """A span of days counts are made over: a semester, its school year, or its calendar year."""
    start: date
    end: date   # inclusive
    name: str


def period(term: Semester, span: str = "") -> Period:
    """`term`'s semester (span ""), its school year ("year": September to August) or the calendar year
    it starts in ("calendar")."""
    if span == "year":
        return Period(date(term.year, 9, 1), date(term.year + 1, 8, 31), f"{term.year}—{term.year + 1}学年")
    if span == "calendar":
        return Period(date(term.start.year, 1, 1), date(term.start.year, 12, 31), f"{term.start.year}年")
    return Period(term.start, term.end, term.name)


def semester(day: date) -> Semester:
    """The semester a date belongs to."""
    if day.month >= 9:
        return Semester(day.year, 1)
    if day.month == 1:
        return Semester(day.year - 1, 1)
    return Semester(day.year - 1, 2)


def parse_semester(code: str | None) -> Semester | None:
    """"2026-1" -> Semester(2026, 1); anything else None."""
    year, _, term = (code or "").partition("-")
    if year.isascii() and year.isdigit() and len(year) == 4 and term in ("1", "2"):
        return Semester(int(year), int(term))
    return None


def recent_semesters(today: date, count: int = 6) -> list[Semester]:
    """The current semester and the ones before it, newest first (a filter's choices)."""
    found = [semester(today)]
    while len(found) < count:
        found.append(found[-1].previous())
    return found
