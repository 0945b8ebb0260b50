"""督办 and 问责 as lists: the items before the leaders, the schools that lag (问责 candidates), a
school's history. Each narrows to what the current user may read (security.py's policies)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..extensions import db
from ..models import (Accountability, EscalationRun, OrderRule, RectificationItem, Role, School, SupervisionOrder, User,
                      inspector_school)
from ..security import readable_accountability, readable_items, readable_orders
from .escalation import overdue_by, threshold


def school_year(today: date) -> clock.Period:
    """The school year 督办 are counted over (September to August)."""
    return clock.period(clock.semester(today), "year")


def responsible(school_ids: set[int]) -> dict[int, list[str]]:
    """Each school's 责任督学 (active inspectors whose 责任区 holds it), in one query."""
    found = defaultdict(list)
    if school_ids:
        rows = db.session.execute(
            select(inspector_school.c.school_id, User.display_name).join(User, User.id == inspector_school.c.user_id)
            .where(inspector_school.c.school_id.in_(school_ids), User.role == Role.INSPECTOR, User.active)
            .order_by(User.display_name))
        for school_id, name in rows:
            found[school_id].append(name)
    return found


@dataclass
class Escalated:
    item: RectificationItem
    days: int
    inspectors: list[str]   # the school's 责任督学


def before_leaders(today: date, limit: int = 50) -> list[Escalated]:
    """Items DUBAN_LEADER_DAYS or more overdue, the longest overdue first: the leaders' home. Read
    from the items themselves, so an item answered since leaves the list at once."""
    items = db.session.scalars(readable_items(select(RectificationItem)).where(overdue_by(threshold(OrderRule.LEADERS), today))
                               .options(joinedload(RectificationItem.school), joinedload(RectificationItem.inspector))
                               .order_by(RectificationItem.due_date, RectificationItem.id).limit(limit)).all()
    inspectors = responsible({item.school_id for item in items})
    return [Escalated(item, (today - item.due_date).days, inspectors.get(item.school_id, [])) for item in items]


@dataclass
class Candidate:
    school: School
    notices: int          # 督办通知 this school year
    actions: int          # 问责 recorded this school year


def candidates(today: date) -> list[Candidate]:
    """Schools with DUBAN_CANDIDATE_ORDERS or more 督办通知 in the school year: the 问责 candidates,
    most 督办 first."""
    year = school_year(today)
    least = current_app.config["DUBAN_CANDIDATE_ORDERS"]
    notices = func.count(SupervisionOrder.id)
    rows = db.session.execute(readable_orders(
        select(SupervisionOrder.school_id, notices).where(SupervisionOrder.rule == OrderRule.NOTICE,
                                                          SupervisionOrder.found_on.between(year.start, year.end)))
        .group_by(SupervisionOrder.school_id).having(notices >= least)).all()
    if not rows:
        return []
    counts = dict(rows)
    schools = db.session.scalars(select(School).where(School.id.in_(counts))).all()
    actions = dict(db.session.execute(
        select(Accountability.school_id, func.count()).where(Accountability.school_id.in_(counts),
                                                             Accountability.taken_on.between(year.start, year.end))
        .group_by(Accountability.school_id)).all())
    found = [Candidate(school, counts[school.id], actions.get(school.id, 0)) for school in schools]
    return sorted(found, key=lambda c: (-c.notices, c.school.code))


def entries() -> Select:
    """问责 records the current user may read, newest first."""
    return readable_accountability(select(Accountability)).options(
        joinedload(Accountability.school), joinedload(Accountability.recorded_by),
        selectinload(Accountability.items)).order_by(Accountability.taken_on.desc(), Accountability.id.desc())


def orders_of(school_id: int) -> list[SupervisionOrder]:
    """A school's 督办, newest first, with their items and 督办通知."""
    return db.session.scalars(readable_orders(select(SupervisionOrder)).where(SupervisionOrder.school_id == school_id)
                              .options(joinedload(SupervisionOrder.rectification), joinedload(SupervisionOrder.document))
                              .order_by(SupervisionOrder.found_on.desc(), SupervisionOrder.id.desc())).all()


def items_to_link(school_id: int, today: date) -> list[RectificationItem]:
    """What a 问责 record may name: the school's items that had a 督办 or are overdue now."""
    ordered = select(SupervisionOrder.rectification_id).where(SupervisionOrder.school_id == school_id)
    return db.session.scalars(select(RectificationItem).where(
        RectificationItem.school_id == school_id,
        or_(RectificationItem.id.in_(ordered), overdue_by(1, today))).order_by(RectificationItem.due_date)).all()


def recent_runs(limit: int = 5) -> list[EscalationRun]:
    return db.session.scalars(select(EscalationRun).order_by(EscalationRun.id.desc()).limit(limit)).all()
