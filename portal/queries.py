"""Pieces shared by the list queries of every blueprint."""
from sqlalchemy import ColumnElement, Select, or_


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
