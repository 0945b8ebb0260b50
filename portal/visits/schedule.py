"""How often a 责任督学 visits each of their schools, and which schools are due.

The office sets a target per school per semester on the 公示牌与督学照片 page (until it does, the
setting VISITS_PER_SEMESTER, default 4: about monthly). Spread over the semester (portal/clock.py),
that makes an interval: a school is due a visit when its last one is older than the interval (or it
never had one), or when it is behind the semester's target so far (the target prorated to the days
gone: two of four halfway through).
"""
import math
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, g, has_request_context
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import School, User, Visit, VisitTarget, inspector_school


def target() -> int:
    """Visits owed to each school per semester: the office's figure (公示牌与督学照片), else the setting.
    Read once per request: a list of standings asks for it twice a school."""
    if has_request_context() and "visit_target" in g:
        return g.visit_target
    figure = db.session.scalar(select(VisitTarget.visits_per_semester).order_by(VisitTarget.id).limit(1))
    figure = figure or current_app.config["VISITS_PER_SEMESTER"]
    if has_request_context():
        g.visit_target = figure
    return figure


def set_target(per_semester: int) -> None:
    row = db.session.scalar(select(VisitTarget).order_by(VisitTarget.id).limit(1)) or VisitTarget()
    row.visits_per_semester = per_semester
    db.session.add(row)
    g.pop("visit_target", None)


def interval(term: clock.Semester) -> int:
    """Days between visits: the semester's length shared out over its target."""
    return math.ceil(((term.end - term.start).days + 1) / target())


def expected(term: clock.Semester, today: date) -> int:
    """Visits a school should have had this semester by `today`."""
    length = (term.end - term.start).days + 1
    gone = min(max((today - term.start).days, 0), length)
    return math.floor(target() * gone / length)


@dataclass
class Standing:
    """A school's visits: the last one, this semester's count against what is expected by now."""
    school: School
    inspectors: list[User] = field(default_factory=list)
    last: date | None = None
    count: int = 0
    expected: int = 0
    days: int = 0           # the interval
    today: date | None = None

    @property
    def since(self) -> int | None:
        """Days since the last visit."""
        return (self.today - self.last).days if self.last else None

    @property
    def overdue_by_interval(self) -> bool:
        return self.last is None or self.since > self.days

    @property
    def behind(self) -> bool:
        return self.count < self.expected

    @property
    def overdue(self) -> bool:
        return self.overdue_by_interval or self.behind

    @property
    def reason(self) -> str:
        parts = []
        if self.last is None:
            parts.append("从未走访")
        elif self.overdue_by_interval:
            parts.append(f"已 {self.since} 天未走访")
        if self.behind:
            parts.append(f"按进度此时应已走访 {self.expected} 次，实走访 {self.count} 次")
        return "，".join(parts)


def standings(schools: list[School], today: date) -> list[Standing]:
    """Each school's standing (in the order given), its 责任督学 named, in three queries whatever the
    number of schools."""
    term = clock.semester(today)
    ids = [school.id for school in schools]
    last = dict(db.session.execute(select(Visit.school_id, func.max(Visit.visited_on))
                                   .where(Visit.school_id.in_(ids), Visit.visited_on <= today)
                                   .group_by(Visit.school_id)).all())
    counts = dict(db.session.execute(select(Visit.school_id, func.count())
                                     .where(Visit.school_id.in_(ids), Visit.visited_on.between(term.start, today))
                                     .group_by(Visit.school_id)).all())
    named = inspectors_of(ids)
    due, days = expected(term, today), interval(term)
    return [Standing(school, named.get(school.id, []), last.get(school.id), counts.get(school.id, 0), due, days, today)
            for school in schools]


def inspectors_of(school_ids: list[int]) -> dict[int, list[User]]:
    """Each school's 责任督学 (active inspectors whose 责任区 holds it), by name."""
    rows = db.session.execute(select(inspector_school.c.school_id, User).join(User, User.id == inspector_school.c.user_id)
                              .where(inspector_school.c.school_id.in_(school_ids), User.active)
                              .order_by(User.username)).all()
    found: dict[int, list[User]] = {}
    for school_id, user in rows:
        found.setdefault(school_id, []).append(user)
    return found
