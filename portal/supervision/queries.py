"""Reusable inspection queries; each returns a Select for the caller to narrow, page or export."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from ..models import Inspection, InspectionMember, Round, School, TemplateVersion
from ..queries import text_search
from ..security import readable_inspections


def filtered(q="", template=None, mode=None, inspector=None, status=None, start=None, end=None) -> Select:
    """Inspections the current user may read (security.readable_inspections), filtered. `mode`: of
    rounds of that mode (an inspection outside a round has none)."""
    stmt = readable_inspections(select(Inspection)).join(Inspection.school).join(Inspection.version).options(
        joinedload(Inspection.school), joinedload(Inspection.version).joinedload(TemplateVersion.template),
        joinedload(Inspection.inspector), joinedload(Inspection.round))
    if (match := text_search(q, School.name, School.code)) is not None:
        stmt = stmt.where(match)
    if template:
        stmt = stmt.where(TemplateVersion.template_id == template)
    if mode:
        stmt = stmt.join(Round, Round.id == Inspection.round_id).where(Round.mode == mode)
    if inspector:  # as its inspector (组长) or in its 督导组
        stmt = stmt.where(or_(Inspection.inspector_id == inspector, Inspection.id.in_(
            select(InspectionMember.inspection_id).where(InspectionMember.user_id == inspector))))
    if status:
        stmt = stmt.where(Inspection.status == status)
    if start:
        stmt = stmt.where(Inspection.visit_date >= start)
    if end:
        stmt = stmt.where(Inspection.visit_date <= end)
    return stmt.order_by(Inspection.visit_date.desc(), Inspection.id.desc())


def from_form(form) -> Select:
    return filtered(**{name: form[name].data for name in ("q", "template", "mode", "inspector", "status", "start", "end")})
