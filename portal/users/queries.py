"""Reusable user queries; each returns a Select."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from ..models import School, User
from ..queries import by_status, text_search
from ..security import manageable_accounts


def filtered(q: str = "", role=None, status: str = "", school_id: int | None = None) -> Select:
    stmt = select(User).options(selectinload(User.school), selectinload(User.schools))
    stmt = by_status(stmt, User.active, status)
    if (match := text_search(q, User.username, User.display_name, User.phone)) is not None:
        stmt = stmt.where(match)
    if role:
        stmt = stmt.where(User.role == role)
    if school_id:
        stmt = stmt.where(or_(User.school_id == school_id, User.schools.any(School.id == school_id)))
    return stmt.order_by(User.role, User.username)


def from_form(form) -> Select:
    """The list as the filter form asks, of the accounts the current user keeps; a school that is not one
    of its choices is ignored."""
    school_id = None if form.school is None or form.school.errors else form.school.data
    return manageable_accounts(filtered(form.q.data, form.role.data if form.role else None, form.status.data, school_id))

