"""Inspections to Excel: one row per item answered (or not) in each inspection, scored by
scoring.score() like the pages."""
from .. import excel
from ..models import AnswerType, Inspection
from . import scoring
from .sheet import answers_of, given, rule, totals

HEADERS = ["学校代码", "学校", "检查表", "版本", "检查日期", "督学", "状态", "一级指标", "评估要点", "分值",
           "答案", "得分", "未达标", "一票否决", "说明", "照片数", "总得分", "满分", "得分率(%)", "等级"]


def _cell(value):
    return "" if value is None else value


def rows(inspections: list[Inspection]):
    if not inspections:
        return
    by_version, answers = answers_of(inspections)
    scores = totals(inspections)
    for inspection in inspections:
        total = scores[inspection.id]
        mine = answers.get(inspection.id, {})
        head = [inspection.school.code, inspection.school.name, inspection.version.template.name,
                inspection.version.number, inspection.visit_date.isoformat(),
                inspection.inspector.display_name if inspection.inspector else "", inspection.status.value]
        for item in by_version.get(inspection.version_id, []):
            answer = mine.get(item.id)
            item_answer = given(item, answer)
            points = scoring.item_points(rule(item), item_answer)
            shown = "不适用" if item_answer.na else item_answer.value
            if item.answer_type is AnswerType.POINTS and shown not in (None, "不适用"):
                shown = float(shown)
            yield head + [
                item.section.title, item.text, float(item.max_points), _cell(shown),
                None if points is None else float(round(points, 2)),
                "是" if scoring.is_not_met(rule(item), item_answer) else "", "是" if item.critical else "",
                answer.note if answer else "", len(answer.photos) if answer else 0,
                float(round(total.points, 2)), float(total.max_points),
                None if total.percent is None else float(total.percent), total.band or "",
            ]


def workbook(inspections: list[Inspection]) -> excel.Book:
    book = excel.Book()
    book.table("检查明细", HEADERS, rows(inspections), cap=50)
    return book
