"""What waits for whom on a home page: an inspector's (or leader's) open field work one tap away,
and what waits for the office's review."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (Inspection, InspectionStatus, Observation, ObservationStatus, Plan, PlanStatus, Round,
                      TemplateVersion)
from ..supervision import sheet

WITH_SCHOOL_AND_TEMPLATE = (joinedload(Inspection.school), joinedload(Inspection.round),
                            joinedload(Inspection.version).joinedload(TemplateVersion.template))


def field_work(user) -> dict:
    """The user's inspections still to fill (drafts, and those returned with the reviewer's comment)
    with their progress, those waiting for review, and their lessons still open."""
    mine = db.session.scalars(
        select(Inspection).where(Inspection.inspector_id == user.id, Inspection.status.in_(
            [InspectionStatus.DRAFT, InspectionStatus.RETURNED, InspectionStatus.SUBMITTED]))
        .options(*WITH_SCHOOL_AND_TEMPLATE)
        .outerjoin(Inspection.round).order_by(Inspection.visit_date, Round.ends_on, Inspection.id)).unique().all()
    lessons = db.session.scalars(
        select(Observation).where(Observation.observer_id == user.id, Observation.status == ObservationStatus.DRAFT)
        .options(joinedload(Observation.school)).order_by(Observation.started_at)).all()
    open_work = [i for i in mine if i.editable]
    return dict(returned=[i for i in open_work if i.status is InspectionStatus.RETURNED],
                drafts=[i for i in open_work if i.status is InspectionStatus.DRAFT],
                waiting=[i for i in mine if i.status is InspectionStatus.SUBMITTED],
                lessons=lessons, progress=sheet.totals(open_work))


def to_review() -> dict:
    """The office's queue: inspections submitted for review, plans awaiting the office's review."""
    inspections = db.session.scalars(
        select(Inspection).where(Inspection.status == InspectionStatus.SUBMITTED)
        .options(*WITH_SCHOOL_AND_TEMPLATE, joinedload(Inspection.inspector))
        .order_by(Inspection.submitted_at)).unique().all()
    plans = db.session.scalars(
        select(Plan).where(Plan.status == PlanStatus.SUBMITTED)
        .options(joinedload(Plan.school), joinedload(Plan.reviewer)).order_by(Plan.submitted_at)).all()
    return dict(inspections=inspections, plans=plans, scores=sheet.totals(inspections))
