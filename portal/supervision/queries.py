"""Reusable inspection queries; each returns a Select for the caller to narrow, page or export."""
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from ..models import Inspection, InspectionStatus, School, TemplateVersion
from ..queries import text_search
from ..security import Action, school_ids, scoped


def visible() -> Select:
    """Inspections the current user may read: approved ones of the schools they see, and all of
    those at schools where they inspect (drafts and submissions are the inspectors' work)."""
    stmt = scoped(select(Inspection), Inspection.school_id, Action.VIEW)
    inspecting = school_ids(current_user, Action.INSPECT)
    if inspecting is not None:
        stmt = stmt.where(or_(Inspection.status == InspectionStatus.APPROVED, Inspection.school_id.in_(inspecting)))
    return stmt


def filtered(q="", template=None, inspector=None, status=None, start=None, end=None) -> Select:
    stmt = visible().join(Inspection.school).join(Inspection.version).options(
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
