"""Pieces shared by the list queries of every blueprint."""
from sqlalchemy import Select


def contains(text: str) -> str | None:
    """A LIKE pattern for 'contains `text`', wildcards typed by the user taken literally out."""
    text = (text or "").strip().replace("%", "").replace("_", "")
    return f"%{text}%" if text else None


def by_status(stmt: Select, active_column, status: str) -> Select:
    """'' shows the active rows, 'inactive' the deactivated ones, 'all' both."""
    if status == "inactive":
        return stmt.where(active_column.is_(False))
    if status != "all":
        return stmt.where(active_column.is_(True))
    return stmt
