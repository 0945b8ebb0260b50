"""The visit lists, and what the home pages show of them."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..extensions import db
from ..models import School, User, Visit, VisitPhoto
from ..security import Action, Reach, readable_visits, reach
from . import schedule


def listing(school_id: int | None = None) -> Select:
    """The visits the current user may read, newest first (one school's when given)."""
    stmt = readable_visits(select(Visit)).options(joinedload(Visit.school), joinedload(Visit.inspector))
    if school_id:
        stmt = stmt.where(Visit.school_id == school_id)
    return stmt.order_by(Visit.visited_on.desc(), Visit.id.desc())


def load_options():
    return (joinedload(Visit.school), joinedload(Visit.inspector), joinedload(Visit.rectification),
            selectinload(Visit.photos).selectinload(VisitPhoto.attachment))


@dataclass
class ByInspector:
    inspector: User | None   # None: schools no 责任督学 has
    schools: int = 0
    overdue: list[schedule.Standing] = field(default_factory=list)


def county_by_inspector(today: date) -> list[ByInspector]:
    """The office's view: every active school's standing, grouped by its 责任督学 (a school with two
    counts under each), those with schools due first."""
    schools = db.session.scalars(select(School).where(School.active).order_by(School.code)).all()
    groups: dict[int | None, ByInspector] = {}
    for standing in schedule.standings(schools, today):
        for inspector in standing.inspectors or [None]:
            group = groups.setdefault(inspector.id if inspector else None, ByInspector(inspector))
            group.schools += 1
            if standing.overdue:
                group.overdue.append(standing)
    return sorted(groups.values(), key=lambda g: (g.inspector is not None, -len(g.overdue),
                                                  g.inspector.username if g.inspector else ""))


def home(user) -> dict | None:
    """挂牌督导 on the home page: an inspector's own schools with the ones due flagged; the county by
    inspector for those who see every school; nothing for a school's own people."""
    today = clock.today()
    seen = reach(user, Action.VIEW)
    term = clock.semester(today)
    common = dict(today=today, semester=term, target=schedule.target(), interval=schedule.interval(term))
    if seen is Reach.SCOPE:
        zone = sorted((s for s in user.schools if s.active), key=lambda s: s.code)
        return dict(common, mine=schedule.standings(zone, today), county=None)
    if seen is Reach.ALL:
        return dict(common, mine=None, county=county_by_inspector(today))
    return None
