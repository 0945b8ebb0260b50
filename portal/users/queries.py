from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from ..models import User
from ..queries import by_status, contains


def filtered(q: str = "", role=None, status: str = "") -> Select:
    stmt = select(User).options(selectinload(User.school), selectinload(User.schools))
    stmt = by_status(stmt, User.active, status)
    if like := contains(q):
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like), User.phone.ilike(like)))
    if role:
        stmt = stmt.where(User.role == role)
    return stmt.order_by(User.role, User.username)
