"""The checklist item about 推门听课 ("推门听课：随机听课节次，课堂教学达标（听课记录）", and any item
whose text starts so) is scored beside the school's own lesson records: how many finished lessons it
had in the semester of the visit, how many 达标, and the rate, one tap from the list of them."""
from dataclasses import dataclass

from .. import clock
from ..models import Inspection
from ..observations import queries as observations
from .sheet import Sheet

PREFIX = "推门听课"


def asks_for_lessons(text: str) -> bool:
    return text.strip().startswith(PREFIX)


@dataclass
class Lessons:
    item_ids: set[int]         # the inspection's items that ask about 推门听课
    school_id: int
    semester: clock.Semester   # of the visit date: the lessons the inspector could have read that day
    figures: observations.Row  # count, up_to_standard, standard_rate


def beside(inspection: Inspection, built: Sheet) -> Lessons | None:
    """The school's lessons for the 推门听课 items of the inspection's sheet (`built`: sheet.build of it);
    None, and no query, when its checklist has none."""
    item_ids = {row.item.id for part in built.parts for row in part.rows if asks_for_lessons(row.item.text)}
    if not item_ids:
        return None
    semester = clock.semester(inspection.visit_date)
    return Lessons(item_ids, inspection.school_id, semester, observations.school_semester(inspection.school_id, semester))
