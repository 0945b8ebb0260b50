"""Saving one answer the moment it changes, by the rule of portal/idempotency.py (queue key,
revision check)."""
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..idempotency import Outcome, judge
from ..models import Answer, AnswerType, Inspection, Item
from . import scoring, sheet

__all__ = ["Change", "Outcome", "Reply", "find", "find_or_new", "reply", "save"]


@dataclass(frozen=True)
class Change:
    value: str | None
    na: bool
    note: str
    base: int          # the revision the change was made on (0: no answer yet)
    key: str | None    # idempotency key


# Built once: autosave runs it on every save, and building a statement costs more than running it.
ANSWER = select(Answer).where(Answer.inspection_id == bindparam("inspection_id"), Answer.item_id == bindparam("item_id"))


def find(inspection: Inspection, item: Item) -> Answer | None:
    return db.session.scalar(ANSWER, {"inspection_id": inspection.id, "item_id": item.id})


def find_or_new(inspection: Inspection, item: Item, user_id: int) -> Answer:
    """The item's answer, or a new empty one (not added to the session): a photo may come before the rating."""
    return find(inspection, item) or Answer(inspection_id=inspection.id, item_id=item.id, updated_by_id=user_id)


def content(unit: Answer | Change | None) -> dict:
    """An answer's or a change's fields, as a conflict shows them side by side."""
    return {"value": unit.value, "na": unit.na, "note": unit.note} if unit is not None else {}


def labels(item: Item) -> dict[str, str]:
    return {"value": "得分" if item.answer_type is AnswerType.POINTS else "评定", "na": "不适用", "note": "说明"}


def _same(answer: Answer, change: Change) -> bool:
    return content(answer) == content(change)


def save(inspection: Inspection, item: Item, change: Change,
         user_id: int) -> tuple[Outcome, Answer | None, scoring.Answer]:
    """Apply `change` (flushed, not committed). On CONFLICT the session is rolled back.
    Also returns the answer as it was, in scoring's terms (whether the item was met before)."""
    answer = find(inspection, item)
    before = sheet.given(item, answer)
    if answer is not None:
        outcome = judge(_same(answer, change), answer.revision, answer.last_key, change.base, change.key)
        if outcome is not None:
            return outcome, answer, before
    elif change.base != 0:  # the tablet saw an answer that is no longer there
        return Outcome.CONFLICT, None, before
    else:
        if not change.value and not change.na and not change.note:
            return Outcome.UNCHANGED, None, before
        answer = Answer(inspection=inspection, item_id=item.id)
        db.session.add(answer)
    answer.value, answer.na, answer.note = change.value, change.na, change.note
    answer.last_key, answer.updated_by_id = change.key, user_id
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):  # lost a race with another save of the same item
        db.session.rollback()
        return Outcome.CONFLICT, find(inspection, item), before
    return Outcome.SAVED, answer, before


@dataclass(frozen=True)
class Reply:
    """What a save answers: the item's row, its section's subtotal and the overall score, and whether
    the save made it not met or met again (its 生成整改事项 slot comes back too)."""
    sheet: sheet.Sheet
    part: sheet.Part
    row: sheet.Row
    turned: bool


def reply(inspection: Inspection, item: Item, answer: Answer | None, before: scoring.Answer | None) -> Reply:
    """`answer`: the item's stored answer (None: none yet); `before`: the answer before the save."""
    built = sheet.saved(inspection, item.id, answer)
    row = built.row(item.id)
    return Reply(built, built.part_of(item.id), row,
                 before is not None and scoring.is_not_met(item, before) != row.not_met)
