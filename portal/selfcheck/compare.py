"""A school's self-check beside the inspector's answers, item by item (the official filling page).

An item is marked different when both have answered it and: one found it not applicable and the other
did not, or (ratings, grades, yes/no) they chose different labels, or (points) their shares of the
item's maximum differ by more than SELF_CHECK_MARGIN. Nothing here is ever part of the official result.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Answer, AnswerType, Inspection, SelfCheck
from ..supervision import scoring, sheet
from . import requests


@dataclass(frozen=True)
class Compared:
    answer: Answer | None  # the school's
    differs: bool


@dataclass
class Beside:
    self_check: SelfCheck
    total: scoring.Score
    items: dict[int, Compared] = field(default_factory=dict)


def differs(item: sheet.ItemInfo, mine: scoring.Answer, theirs: scoring.Answer, margin: Decimal) -> bool:
    """Whether the inspector's answer (`mine`) and the school's (`theirs`) differ enough to mark."""
    answered = lambda a: a.na or a.value is not None  # noqa: E731
    if not (answered(mine) and answered(theirs)):
        return False
    if mine.na or theirs.na:
        return mine.na != theirs.na
    if item.answer_type is not AnswerType.POINTS:
        return mine.value != theirs.value
    return abs(scoring.share(item, mine) - scoring.share(item, theirs)) > margin


def beside(inspection: Inspection, item_id: int | None = None) -> Beside | None:
    """The handed-in self-check for an official inspection (requests.for_official), each item's (or only
    `item_id`'s) answer and whether it differs from the inspection's; None when there is none."""
    if inspection.is_self_check:
        return None
    check = requests.for_official(inspection)
    if check is None:
        return None
    margin = Decimal(str(current_app.config["SELF_CHECK_MARGIN"]))
    theirs = sheet.build(check.inspection, photos=False)
    mine = {a.item_id: a for a in db.session.scalars(select(Answer).where(Answer.inspection_id == inspection.id))}
    result = Beside(check, theirs.total)
    for part in theirs.parts:
        for row in part.rows:
            if item_id is not None and row.item.id != item_id:
                continue
            result.items[row.item.id] = Compared(row.answer, differs(
                row.item, sheet.given(row.item, mine.get(row.item.id)), sheet.given(row.item, row.answer), margin))
    return result
