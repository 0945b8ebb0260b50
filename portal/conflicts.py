"""A real conflict: someone else saved a unit (a checklist answer, an observation's fields, a
rubric score) since the tablet last saw it, so the save is refused (409, portal/idempotency.py).

The page then shows theirs and mine side by side and the inspector keeps one (static/js/fields.js
copies mine back into the form and saves it on the stored revision). Mine is written to the audit
log here, beside theirs (already there as their change), so neither is lost whatever is chosen.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from .extensions import db
from .models import AuditLog, log_event


@dataclass(frozen=True)
class Side:
    label: str
    theirs: str
    mine: str


def shown(value) -> str:
    """A stored or typed value as a person reads it: 8 not 8.00, a date as 2026-11-20."""
    if value is True:
        return "是"
    if value is None or value is False or value == "":
        return "（空）"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def differences(labels: dict[str, str], theirs: dict, mine: dict) -> list[Side]:
    """The fields (in `labels` order) where the stored content and the refused one differ."""
    return [Side(label, shown(theirs.get(name)), shown(mine.get(name)))
            for name, label in labels.items() if shown(theirs.get(name)) != shown(mine.get(name))]


def record(owner, unit: str, theirs: dict, mine: dict, key: str | None) -> None:
    """Log the refused content on `owner` (the inspection or observation whose 变更记录 shows it),
    once per save however often the tablet sends it again. Not committed."""
    entity, entity_id = owner.__tablename__, str(owner.id)
    if key and db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == entity, AuditLog.entity_id == entity_id, AuditLog.action == "conflict",
            AuditLog.changes["key"].as_string() == key)):
        return
    log_event(entity, entity_id, "conflict", school_id=owner.school_id, unit=unit,
              theirs={k: shown(v) for k, v in theirs.items()}, mine={k: shown(v) for k, v in mine.items()}, key=key)
