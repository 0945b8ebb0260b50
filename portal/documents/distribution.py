"""From an issued circular to the schools: who receives it, opening and acknowledging (签收),
reminders to those who have not acknowledged, and the rectification items its requirements make.

A school receives a circular addressed to all schools (every active school) or to the round's
schools. Opening is recorded the first time one of the school's own people opens it; 签收 once,
with time and user; a second tap changes nothing.
"""
import hashlib
import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (Audience, Document, DocumentRecipient, DocumentStatus, Inspection, InspectionStatus, RectificationItem, School,
                      User)
from ..rectification import findings, queries as rectification_queries, workflow
from ..supervision import sheet


def schools_for(document: Document) -> list[School]:
    if document.audience is Audience.ROUND and document.round_id:
        stmt = select(School).join(Inspection, Inspection.school_id == School.id).where(
            Inspection.round_id == document.round_id)
    else:
        stmt = select(School).where(School.active)
    return db.session.scalars(stmt.order_by(School.code).distinct()).all()


def deliver(document: Document, now: datetime) -> list[DocumentRecipient]:
    """Put the document in each receiving school's inbox (not committed)."""
    have = {r.school_id for r in document.recipients}
    added = [DocumentRecipient(school_id=school.id, delivered_at=now) for school in schools_for(document)
             if school.id not in have]
    document.recipients.extend(added)
    return added


def link_rectification(document: Document, today: date, actor_id: int) -> tuple[int, int]:
    """Every item not met in the round's approved inspections gets its rectification item: the one
    already made from that finding, or a new one due on the circular's deadline. All are linked to
    the circular. Returns (created, linked already existing). Not committed."""
    if not document.round_id:
        return 0, 0
    inspections = db.session.scalars(select(Inspection).where(
        Inspection.round_id == document.round_id, Inspection.status == InspectionStatus.APPROVED)).all()
    _, answers = sheet.answers_of(inspections)
    created = linked = 0
    for inspection in inspections:
        existing = rectification_queries.for_finding(inspection)
        mine = answers.get(inspection.id, {})
        for section in sheet.layout(inspection.version):
            for item in section.items:
                answer = mine.get(item.id)
                if not findings.not_met(item, answer):
                    continue
                rectification = existing.get(item.id)
                if rectification is None:
                    rectification = findings.prefilled(inspection, item, answer, today=today, user_id=actor_id)
                    rectification.due_date = document.deadline or rectification.due_date
                    workflow.create(rectification, actor_id=actor_id)
                    created += 1
                else:
                    linked += 1
                if rectification not in document.items:
                    document.items.append(rectification)
    return created, linked


def is_own_school(recipient: DocumentRecipient, user: User) -> bool:
    return user.school_id is not None and user.school_id == recipient.school_id


def opened(recipient: DocumentRecipient, user: User, now: datetime) -> bool:
    """The school's own people opening it for the first time. True when recorded now."""
    if recipient.opened_at is not None or not is_own_school(recipient, user):
        return False
    recipient.opened_at, recipient.opened_by_id = now, user.id
    return True


def acknowledge(recipient: DocumentRecipient, user: User, now: datetime) -> bool:
    """签收. True when recorded now; False when it was already acknowledged."""
    if recipient.acknowledged_at is not None:
        return False
    if recipient.opened_at is None:
        recipient.opened_at, recipient.opened_by_id = now, user.id
    recipient.acknowledged_at, recipient.acknowledged_by_id = now, user.id
    return True


def waiting(document: Document) -> list[DocumentRecipient]:
    """Who has not acknowledged yet."""
    return [r for r in document.recipients if r.acknowledged_at is None]


def remind(document: Document, now: datetime, school_id: int | None = None) -> int:
    """Remind the schools that have not acknowledged (or one of them). Returns how many."""
    count = 0
    for recipient in waiting(document):
        if school_id is None or recipient.school_id == school_id:
            recipient.reminded_at, recipient.reminders = now, recipient.reminders + 1
            count += 1
    return count


def inbox(school_ids: set[int] | None, limit: int | None = None):
    """Received documents of these schools (None: all), unacknowledged first, newest first."""
    stmt = select(DocumentRecipient).join(DocumentRecipient.document).options(
        joinedload(DocumentRecipient.document), joinedload(DocumentRecipient.school))
    if school_ids is not None:
        stmt = stmt.where(DocumentRecipient.school_id.in_(school_ids))
    stmt = stmt.order_by(DocumentRecipient.acknowledged_at.is_not(None), Document.issued_at.desc(), DocumentRecipient.id)
    return stmt.limit(limit) if limit else stmt


def items_for(document: Document, school_id: int) -> list[RectificationItem]:
    return [item for item in document.items if item.school_id == school_id]


def issue(document: Document, *, prefix: str, issuer: str, actor_id: int, now: datetime, today: date) -> None:
    """Number, sign, date and send the document; with requirements, make or link the schools'
    rectification items. Not committed: the number is taken in the caller's transaction."""
    from .numbering import assign

    assign(document, prefix, today.year)
    document.issuer, document.signed_on = issuer, today
    document.issued_at, document.issued_by_id = now, actor_id
    deliver(document, now)
    if document.create_items:
        link_rectification(document, today, actor_id)
    document.status = DocumentStatus.ISSUED  # last: from here on the document is frozen


def problems(document: Document) -> list[str]:
    """What keeps a draft from being issued."""
    found = []
    if not (document.title or "").strip():
        found.append("标题不能为空")
    if not any((getattr(document, name) or "").strip() for name in ("opening", "basics", "problems", "requirements")):
        found.append("正文不能为空")
    if document.create_items and document.deadline is None:
        found.append("生成整改事项须填写整改期限")
    return found


# What is issued is what was confirmed: the draft's content, fingerprinted.

CONTENT = ("title", "addressee", "opening", "basics", "achievements", "problems", "requirements", "deadline", "cc",
           "attachment_title", "table", "audience", "create_items", "corrects_id")


def fingerprint(document: Document) -> str:
    """A digest of everything the issued document will say and do: the confirmation page carries it,
    and 印发 refuses when the draft has changed since (another tab, another admin)."""
    content = {name: getattr(document, name) for name in CONTENT}
    content["audience"] = content["audience"].name if content["audience"] else None
    return hashlib.sha256(json.dumps(content, default=str, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def issued_for_round(document: Document) -> list[Document]:
    """Circulars already issued for the draft's round (none when the draft corrects one of them)."""
    if not document.round_id or document.corrects_id:
        return []
    return db.session.scalars(select(Document).where(
        Document.round_id == document.round_id, Document.status == DocumentStatus.ISSUED,
        Document.id != document.id).order_by(Document.issued_at)).all()
