"""Pieces shared by the list queries of every blueprint."""
from sqlalchemy import ColumnElement, Select, or_, select

from .models import AuditLog


def contains(text: str) -> str | None:
    """A LIKE pattern for 'contains `text`'; % and _ typed by the user match themselves.

    Use with `ilike(pattern, escape="\\")`.
    """
    text = (text or "").strip()
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_search(text: str, *columns) -> ColumnElement | None:
    """'Any of these columns contains `text`' (case-insensitive), or None for an empty search."""
    pattern = contains(text)
    if pattern is None:
        return None
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def by_status(stmt: Select, active_column, status: str) -> Select:
    """'' shows the active rows, 'inactive' the deactivated ones, 'all' both."""
    if status == "inactive":
        return stmt.where(active_column.is_(False))
    if status != "all":
        return stmt.where(active_column.is_(True))
    return stmt


def audit_trail(obj, limit: int = 20) -> Select:
    """An audited object's latest audit entries, newest first (its 变更记录)."""
    return (select(AuditLog).where(AuditLog.entity == obj.__tablename__, AuditLog.entity_id == str(obj.id))
            .order_by(AuditLog.id.desc()).limit(limit))
