"""From a finding to a rectification item in one tap: an inspection's item that was not met
(supervision/scoring.py decides that) becomes an item prefilled from the checklist and the
inspector's note, with the answer's photos linked as evidence."""
from datetime import date

from ..models import Answer, Inspection, Priority, RectificationItem
from ..pdf.text import quoted
from ..supervision import scoring, sheet
from .overdue import default_due


def not_met(item: sheet.ItemInfo, answer: Answer | None) -> bool:
    return scoring.is_not_met(item, sheet.given(item, answer))


def prefilled(inspection: Inspection, item: sheet.ItemInfo, answer: Answer | None, *, today: date,
              user_id: int) -> RectificationItem:
    """The item the inspector would write, unsaved: they can correct it afterwards. The inspection's
    inspector verifies it (or `user_id`, who made it, when the inspection names nobody)."""
    note = (answer.note.strip() if answer else "")
    return RectificationItem(
        school_id=inspection.school_id, inspection_id=inspection.id, item_id=item.id,
        problem=f"{item.text}（未达标）" + (f"：{note}" if note else ""),
        requirement=item.standard or f"按{quoted(item.text)}的要求整改到位。",
        due_date=default_due(today),
        priority=Priority.IMPORTANT if item.critical else Priority.NORMAL,
        inspector_id=inspection.inspector_id or user_id,
        evidence=list(answer.photos) if answer else [],
    )
