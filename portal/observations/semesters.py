"""School semesters (学期). The autumn term, September to January, is the first semester of the
school year that starts in September; the spring term, February to August (the summer counts with
the year it ends), is its second. "2026—2027学年第一学期" runs 2026-09-01 to 2027-01-31.

Dates are Beijing dates (Asia/Shanghai): a lesson seen on 1 February at 00:30 in the county is in
the spring term even though it is still 31 January in UTC.
"""
from dataclasses import dataclass
from datetime import date, timedelta


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


def of(day: date) -> Semester:
    """The semester a date belongs to."""
    if day.month >= 9:
        return Semester(day.year, 1)
    if day.month == 1:
        return Semester(day.year - 1, 1)
    return Semester(day.year - 1, 2)


def parse(code: str | None) -> Semester | None:
    """"2026-1" -> Semester(2026, 1); anything else None."""
    year, _, term = (code or "").partition("-")
    if year.isascii() and year.isdigit() and len(year) == 4 and term in ("1", "2"):
        return Semester(int(year), int(term))
    return None


def recent(today: date, count: int = 6) -> list[Semester]:
    """The current semester and the ones before it, newest first (a filter's choices)."""
    found = [of(today)]
    while len(found) < count:
        found.append(found[-1].previous())
    return found
