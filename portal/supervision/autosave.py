"""Saving one answer the moment it changes, safely when requests are resent or race.

A save carries the revision the tablet last saw and a fresh idempotency key:
- the key of the last applied save again, or the same content as stored: nothing changes (a resend,
  a double tap, the offline queue replaying a save whose answer was lost);
- a different revision with different content: someone else changed the item meanwhile, and the
  save is refused (CONFLICT) so that nobody's answer is silently overwritten;
- otherwise it is applied and the revision goes up by one.
"""
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Answer, Inspection, Item


class Outcome(enum.Enum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Change:
    value: str | None
    na: bool
    note: str
    base: int          # the revision the change was made on (0: no answer yet)
    key: str | None    # idempotency key


def find(inspection: Inspection, item: Item) -> Answer | None:
    return db.session.scalar(
        select(Answer).where(Answer.inspection_id == inspection.id, Answer.item_id == item.id))


def _same(answer: Answer, change: Change) -> bool:
    return (answer.value, answer.na, answer.note) == (change.value, change.na, change.note)


def save(inspection: Inspection, item: Item, change: Change, user_id: int) -> tuple[Outcome, Answer | None]:
    """Apply `change` (flushed, not committed). On CONFLICT the session is rolled back."""
    answer = find(inspection, item)
    if answer is not None:
        if (change.key and answer.last_key == change.key) or _same(answer, change):
            return Outcome.UNCHANGED, answer
        if answer.revision != change.base:
            return Outcome.CONFLICT, answer
    elif change.base != 0:  # the tablet saw an answer that is no longer there
        return Outcome.CONFLICT, None
    else:
        if not change.value and not change.na and not change.note:
            return Outcome.UNCHANGED, None
        answer = Answer(inspection=inspection, item_id=item.id)
        db.session.add(answer)
    answer.value, answer.na, answer.note = change.value, change.na, change.note
    answer.last_key, answer.updated_by_id = change.key, user_id
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):  # lost a race with another save of the same item
        db.session.rollback()
        return Outcome.CONFLICT, find(inspection, item)
    return Outcome.SAVED, answer
