"""Reusable school queries; each returns a Select for the caller to narrow, page or export."""
from sqlalchemy import Select, select

from ..models import School
from ..queries import by_status, text_search


def filtered(q: str = "", kind=None, group: str = "", township: str = "", project: str = "", status: str = "") -> Select:
    stmt = by_status(select(School), School.active, status)
    if (match := text_search(q, School.name, School.code, School.township)) is not None:
        stmt = stmt.where(match)
    if kind:
        stmt = stmt.where(School.kind == kind)
    if group:
        stmt = stmt.where(School.education_group == group)
    if township:
        stmt = stmt.where(School.township == township)
    if project in ("0", "1"):
        stmt = stmt.where(School.is_project_school.is_(project == "1"))
    return stmt.order_by(School.education_group, School.code)


def from_form(form) -> Select:
    return filtered(**{name: form[name].data for name in ("q", "kind", "group", "township", "project", "status")})
