"""Inspections to Excel: one row per item answered (or not) in each inspection, scored by
scoring.score() like the pages. The inspections come a batch at a time from the list's query and
their answers as plain rows, so a county's half a million answers never sit in memory at once."""
from sqlalchemy import Select, func, select

from .. import excel
from ..extensions import db
from ..models import Answer, AnswerType, Photo
from . import ranking, scoring
from ..teams.roster import team_names
from .sheet import ItemInfo, given, layout, total
from .standings import Ranks

HEADERS = ["学校代码", "学校", "检查表", "版本", "检查日期", "督导批次", "督导方式", "督学（督导组）", "状态", "一级指标",
           "评估要点", "分值", "答案", "得分", "未达标", "一票否决", "说明", "照片数", "总得分", "满分", "得分率(%)", "等级",
           "排名类别", "名次", "名次升降"]
BATCH = 200  # inspections read at a time: about 20,000 answers for a 100-item checklist


def answers(inspection_ids: list[int]) -> dict[int, dict[int, tuple]]:
    """These inspections' answers by inspection and item, as plain rows (value, na, note, photos)."""
    photos = select(func.count(Photo.id)).where(Photo.answer_id == Answer.id).scalar_subquery()
    found: dict[int, dict[int, tuple]] = {}
    for row in db.session.execute(select(Answer.inspection_id, Answer.item_id, Answer.value, Answer.na, Answer.note,
                                         photos.label("photos")).where(Answer.inspection_id.in_(inspection_ids))):
        found.setdefault(row.inspection_id, {})[row.item_id] = row
    return found


def judged(item: ItemInfo, answer) -> list:
    """An answer's cells: as given, its points, not met."""
    item_answer = given(item, answer)
    points, not_met = scoring.judge(item, item_answer)
    shown = "不适用" if item_answer.na else item_answer.value
    if item.answer_type is AnswerType.POINTS and shown not in (None, "不适用"):
        shown = float(shown)
    return ["" if shown is None else shown, None if points is None else float(round(points, 2)), "是" if not_met else ""]


def rows(inspections: Select):
    lines: dict[int, list] = {}     # a version's items with the cells they write on every row
    answered_as: dict[tuple, list] = {}  # (item, value, n/a): its cells; an item's answers repeat a few values
    ranks = Ranks()  # an approved inspection's place in its round's (or template's semester) ranking
    for batch in db.session.scalars(inspections.execution_options(yield_per=BATCH)).partitions():
        answered = answers([inspection.id for inspection in batch])
        people = team_names(batch)
        for inspection in batch:
            if inspection.version_id not in lines:
                lines[inspection.version_id] = [(item, [section.title, item.text, float(item.max_points)],
                                                 ["是" if item.critical else ""])
                                                for section in layout(inspection.version) for item in section.items]
            items = lines[inspection.version_id]
            mine = answered.get(inspection.id, {})
            score = total(inspection, [item for item, _, _ in items], mine)
            head = [inspection.school.code, inspection.school.name, inspection.version.template.name,
                    inspection.version.number, inspection.visit_date.isoformat(),
                    inspection.round.name if inspection.round else "",
                    inspection.round.mode.value if inspection.round else "日常检查",
                    people[inspection.id], inspection.status.value]
            place = ranks.of(inspection)
            tail = [float(round(score.points, 2)), float(score.max_points),
                    None if score.percent is None else float(score.percent), score.band or "",
                    *([place.category, ranking.rank_text(place), ranking.change_text(place)] if place else ["", "", ""])]
            for item, about, critical in items:
                answer = mine.get(item.id)
                key = (item.id, answer.value, answer.na) if answer else (item.id, None, False)
                if key not in answered_as:
                    answered_as[key] = judged(item, answer)
                yield (head + about + answered_as[key] + critical
                       + ([answer.note, answer.photos] if answer else ["", 0]) + tail)


def workbook(inspections: Select) -> excel.Book:
    """`inspections`: the list's query (its filters, its reader's scope, its order)."""
    book = excel.Book()
    book.table("检查明细", HEADERS, rows(inspections), cap=50)
    return book
