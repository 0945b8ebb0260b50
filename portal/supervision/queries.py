"""Reusable inspection queries; each returns a Select for the caller to narrow, page or export."""
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..models import Inspection, School, TemplateVersion
from ..queries import text_search
from ..security import readable_inspections


def filtered(q="", template=None, inspector=None, status=None, start=None, end=None) -> Select:
    """Inspections the current user may read (security.readable_inspections), filtered."""
    stmt = readable_inspections(select(Inspection)).join(Inspection.school).join(Inspection.version).options(
        joinedload(Inspection.school), joinedload(Inspection.version).joinedload(TemplateVersion.template),
        joinedload(Inspection.inspector))
    if (match := text_search(q, School.name, School.code)) is not None:
        stmt = stmt.where(match)
    if template:
        stmt = stmt.where(TemplateVersion.template_id == template)
    if inspector:
        stmt = stmt.where(Inspection.inspector_id == inspector)
    if status:
        stmt = stmt.where(Inspection.status == status)
    if start:
        stmt = stmt.where(Inspection.visit_date >= start)
    if end:
        stmt = stmt.where(Inspection.visit_date <= end)
    return stmt.order_by(Inspection.visit_date.desc(), Inspection.id.desc())


def from_form(form) -> Select:
    return filtered(**{name: form[name].data for name in ("q", "template", "inspector", "status", "start", "end")})
