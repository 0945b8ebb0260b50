"""Reusable rectification queries; each returns a Select (or plain counts) for the caller."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..models import Inspection, RectificationItem, RectificationStatus, School, User
from ..queries import text_search
from ..security import Action, allowed, readable_items
from . import overdue
from .overdue import due_soon_clause, overdue_clause
from .workflow import AWAITING_SCHOOL

Item = RectificationItem


def visible() -> Select:
    return readable_items(select(Item))


def ordered(stmt: Select) -> Select:
    """What needs the school first (overdue, then due soon, then by due date), then what awaits the
    inspector, closed items last. Within the school's part, due date order is overdue-first."""
    stage = case((Item.status.in_(AWAITING_SCHOOL), 0), (Item.status == RectificationStatus.SUBMITTED, 1), else_=2)
    return stmt.order_by(stage, Item.due_date, Item.id)


def filtered(today: date, q="", school=None, status=None, timing="", inspector=None, round=None, start=None,
             end=None) -> Select:
    stmt = visible().join(Item.school).options(
        joinedload(Item.school), joinedload(Item.inspector), joinedload(Item.inspection))
    if (match := text_search(q, Item.problem, Item.requirement, School.name, School.code)) is not None:
        stmt = stmt.where(match)
    if school:
        stmt = stmt.where(Item.school_id == school)
    if status:
        stmt = stmt.where(Item.status == status)
    if timing == "pending":
        stmt = stmt.where(Item.status.in_(AWAITING_SCHOOL))
    elif timing == "overdue":
        stmt = stmt.where(overdue_clause(today))
    elif timing == "due_soon":
        stmt = stmt.where(due_soon_clause(today))
    if inspector:
        stmt = stmt.where(Item.inspector_id == inspector)
    if start:
        stmt = stmt.where(Item.due_date >= start)
    if end:
        stmt = stmt.where(Item.due_date <= end)
    if round:
        stmt = stmt.where(Item.inspection.has(Inspection.round_id == round))
    return ordered(stmt)


FILTERS = ("q", "school", "status", "timing", "inspector", "round", "start", "end")


def from_form(form, today: date) -> Select:
    return filtered(today, **{name: form[name].data for name in FILTERS})


@dataclass(frozen=True)
class Counts:
    open: int = 0       # awaiting the school (待整改 and 已退回)
    overdue: int = 0
    submitted: int = 0  # awaiting verification

    @property
    def any(self) -> bool:
        return bool(self.open or self.submitted)


def _counts_columns(today: date):
    return (func.count().filter(Item.status.in_(AWAITING_SCHOOL)),
            func.count().filter(overdue_clause(today)),
            func.count().filter(Item.status == RectificationStatus.SUBMITTED))


def counts(today: date, school_id: int | None = None) -> Counts:
    """Open, overdue and awaiting-verification counts over what the user sees (or one school)."""
    stmt = readable_items(select(*_counts_columns(today)))
    if school_id is not None:
        stmt = stmt.where(Item.school_id == school_id)
    return Counts(*db.session.execute(stmt).one())


def grouped(today: date, by) -> list[tuple[int | None, str, Counts]]:
    """(id, name, counts) per school or per verifying inspector (`by`: School or User) over the
    items not closed yet, the most overdue first."""
    if by is School:
        ident, label = School.id, School.name
    else:
        ident, label = Item.inspector_id, func.coalesce(User.display_name, "未指定")
    stmt = readable_items(select(ident, label, *_counts_columns(today)))
    stmt = stmt.join(Item.school) if by is School else stmt.outerjoin(User, Item.inspector_id == User.id)
    rows = db.session.execute(stmt.where(Item.status != RectificationStatus.CLOSED).group_by(ident, label)).all()
    found = [(key, name, Counts(*rest)) for key, name, *rest in rows]
    return sorted(found, key=lambda row: (-row[2].overdue, -row[2].open, row[1]))


def attention(today: date, school_id: int, limit: int = 20) -> list[Item]:
    """The school's items that are overdue or due soon, most urgent first (a principal's home)."""
    stmt = select(Item).where(Item.school_id == school_id).where(or_(overdue_clause(today), due_soon_clause(today)))
    return db.session.scalars(ordered(stmt).limit(limit)).all()


# Built once: an autosave that makes an item not met runs it.
FOR_FINDING = select(Item).where(Item.inspection_id == bindparam("inspection_id")).order_by(Item.id.desc())


def for_finding(inspection: Inspection) -> dict[int, Item]:
    """An inspection's items by checklist item (the first made for each), in one query."""
    return {item.item_id: item for item in db.session.scalars(FOR_FINDING, {"inspection_id": inspection.id})}


def home(user) -> dict:
    """What a home page shows: counts over the items the user sees and, for a school's own
    people, the school's items overdue or due within DUE_SOON_DAYS."""
    today = clock.today()
    return dict(today=today, counts=counts(today), soon_days=overdue.DUE_SOON_DAYS,
                attention=attention(today, user.school_id) if allowed(user, Action.VIEW, user.school_id) and user.school_id
                else [])  # a school's 中层 has a school but does not see its 整改
