from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from ..models import User


def filtered(q: str = "", role=None, status: str = "") -> Select:
    stmt = select(User).options(selectinload(User.school), selectinload(User.schools))
    if status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif status != "all":
        stmt = stmt.where(User.active.is_(True))
    if q := (q or "").strip():
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like), User.phone.ilike(like)))
    if role:
        stmt = stmt.where(User.role == role)
    return stmt.order_by(User.role, User.username)
