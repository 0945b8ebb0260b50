"""What a home page shows: the county's schools at a glance, an inspector's (or leader's) open field
work one tap away, what waits for the office's review, and a school's circulars and plan."""
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..accountability import escalation, queries as accountability
from ..documents import distribution
from ..extensions import db
from ..models import (AuditLog, Inspection, InspectionMember, InspectionStatus, Observation, ObservationStatus, OrderRule,
                      Plan, PlanStatus, Purpose, Role, Round, School, SchoolKind, TemplateVersion, User)
from ..plans import queries as plans
from ..supervision import sheet
from ..teams import roster

INBOX_SIZE = 5
RECENT_CHANGES = 10

WITH_SCHOOL_AND_TEMPLATE = (joinedload(Inspection.school), joinedload(Inspection.round),
                            joinedload(Inspection.version).joinedload(TemplateVersion.template))


def field_work(user) -> dict:
    """The user's inspections still to fill, as its inspector or in its 督导组 (drafts, and those returned
    with the reviewer's comment) with their progress and teams, those waiting for review, and their
    lessons still open."""
    on_team = select(InspectionMember.inspection_id).where(InspectionMember.user_id == user.id)
    mine = db.session.scalars(
        select(Inspection).where(or_(Inspection.inspector_id == user.id, Inspection.id.in_(on_team)), Inspection.status.in_(
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
                lessons=lessons, progress=sheet.totals(open_work), teams=roster.team_names(mine))


def to_review() -> dict:
    """The office's queue: inspections submitted for review (not self-checks: nobody reviews those), plans
    awaiting the office's review."""
    inspections = db.session.scalars(
        select(Inspection).where(Inspection.status == InspectionStatus.SUBMITTED, Inspection.purpose == Purpose.OFFICIAL)
        .options(*WITH_SCHOOL_AND_TEMPLATE, joinedload(Inspection.inspector))
        .order_by(Inspection.submitted_at)).unique().all()
    plans = db.session.scalars(
        select(Plan).where(Plan.status == PlanStatus.SUBMITTED)
        .options(joinedload(Plan.school), joinedload(Plan.reviewer)).order_by(Plan.submitted_at)).all()
    return dict(inspections=inspections, plans=plans, scores=sheet.totals(inspections))


def county() -> dict:
    """The county's active schools by education group and by kind, and its inspectors at work."""
    by_group = db.session.execute(
        select(School.education_group, func.count())
        .where(School.active).group_by(School.education_group).order_by(School.education_group)
    ).all()
    rows = db.session.execute(select(School.kind, func.count()).where(School.active).group_by(School.kind)).all()
    inspectors = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.INSPECTOR, User.active)
    )
    return dict(by_group=by_group, by_kind=sorted(rows, key=lambda row: list(SchoolKind).index(row[0])),  # 幼儿园 → 小学 → …
                inspectors=inspectors)


def recent_changes() -> list[AuditLog]:
    return db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(RECENT_CHANGES)).all()


def school(school_id: int | None, today: date) -> dict:
    """A school's own people: its latest circulars, those awaiting 签收 first, and its current plan."""
    if not school_id:
        return dict(received=[], school_plan=None)
    return dict(received=db.session.scalars(distribution.inbox({school_id}, INBOX_SIZE)).all(),
                school_plan=plans.school_plan(school_id, today))


def escalated(today: date) -> dict:
    """督办 before the leaders: items overdue DUBAN_LEADER_DAYS or more, with the school's 责任督学."""
    return dict(escalated=dict(rows=accountability.before_leaders(today),
                               days=escalation.threshold(OrderRule.LEADERS)))
