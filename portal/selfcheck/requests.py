"""Asking schools to check themselves (学校自查): a round asks each of its schools, or the office asks one.

A request makes the school's self-check: an Inspection of purpose SELF on the round's template version
(or the one the office chose), in no round, with its SelfCheck (due date, who asked). Added, not committed.
"""
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Inspection, InspectionStatus, Purpose, Round, School, SelfCheck, TemplateVersion


def ask(school_id: int, version_id: int, due_on: date, *, today: date, requested_by_id: int,
        round_id: int | None = None, key: str | None = None) -> SelfCheck:
    inspection = Inspection(school_id=school_id, version_id=version_id, visit_date=today, purpose=Purpose.SELF,
                            status=InspectionStatus.DRAFT)
    check = SelfCheck(inspection=inspection, school_id=school_id, round_id=round_id, due_on=due_on,
                      requested_by_id=requested_by_id, client_key=key)
    db.session.add(check)
    return check


def round_schools(round_id: int) -> list[School]:
    """The schools a round inspects (its official inspections'), by code."""
    return db.session.scalars(select(School).join(Inspection, Inspection.school_id == School.id)
                              .where(Inspection.round_id == round_id).distinct().order_by(School.code)).all()


def of_round(round_id: int) -> dict[int, SelfCheck]:
    """The round's self-checks by school."""
    checks = db.session.scalars(select(SelfCheck).where(SelfCheck.round_id == round_id)
                                .options(joinedload(SelfCheck.inspection))).all()
    return {check.school_id: check for check in checks}


def ask_round(supervision_round: Round, due_on: date, *, today: date, requested_by_id: int) -> list[SelfCheck]:
    """Ask each of the round's schools not yet asked, on the round's version; the new requests."""
    asked = of_round(supervision_round.id)
    return [ask(school.id, supervision_round.version_id, due_on, today=today, requested_by_id=requested_by_id,
                round_id=supervision_round.id)
            for school in round_schools(supervision_round.id) if school.id not in asked]


def listed() -> Select:
    """Self-checks with what a list shows, newest due first (narrow with security.readable_self_checks)."""
    return (select(SelfCheck).join(SelfCheck.inspection).join(SelfCheck.school)
            .options(joinedload(SelfCheck.school), joinedload(SelfCheck.round),
                     joinedload(SelfCheck.inspection).joinedload(Inspection.version)
                     .joinedload(TemplateVersion.template))
            .order_by(SelfCheck.due_on.desc(), School.code))


def for_official(inspection: Inspection) -> SelfCheck | None:
    """The school's handed-in self-check that an official inspection is compared with: the one its round
    asked for; for an inspection in no round, the school's latest on the same template version."""
    stmt = (select(SelfCheck).join(SelfCheck.inspection)
            .where(SelfCheck.school_id == inspection.school_id, Inspection.submitted_at.is_not(None)))
    if inspection.round_id is not None:
        stmt = stmt.where(SelfCheck.round_id == inspection.round_id)
    else:
        stmt = stmt.where(Inspection.version_id == inspection.version_id).order_by(Inspection.submitted_at.desc())
    return db.session.scalars(stmt.limit(1)).first()
