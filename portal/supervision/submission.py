"""What stops an inspection from being submitted: unanswered items, and items not met whose
evidence rule asks for a photo and/or a note that is missing."""
from dataclasses import dataclass

from ..models import EvidenceRule
from .sheet import Sheet

NEEDS_PHOTO = {EvidenceRule.PHOTO, EvidenceRule.BOTH}
NEEDS_NOTE = {EvidenceRule.NOTE, EvidenceRule.BOTH}


@dataclass(frozen=True)
class Blocker:
    item_id: int
    number: str  # 二.3: section and item as the page numbers them
    text: str
    reason: str


def blockers(sheet: Sheet) -> list[Blocker]:
    found = []
    for s, part in enumerate(sheet.parts, 1):
        for i, row in enumerate(part.rows, 1):
            answer, item = row.answer, row.item
            if row.kind_na:  # not asked at this kind of school
                continue
            number = f"{s}.{i}"
            missing = []
            if answer is None or (not answer.na and answer.value is None):
                missing.append("尚未作答")
            elif row.not_met:
                if item.evidence in NEEDS_PHOTO and not answer.photos:
                    missing.append("未达标，须拍照留证")
                if item.evidence in NEEDS_NOTE and not answer.note.strip():
                    missing.append("未达标，须填写说明")
            for reason in missing:
                found.append(Blocker(item.id, number, item.text, reason))
    return found
