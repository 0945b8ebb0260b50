"""Observation records to Excel: one row per record, with its score for every rubric dimension
(columns: the dimensions of every version in the export, in page order). Records come a batch at a
time from the list's query, with their scores, whatever their number."""
from sqlalchemy import Select, select

from .. import excel
from ..clock import local
from ..extensions import db
from ..models import Item, ObservationScore, Section

HEADERS = ["听课日期", "节次", "学校代码", "学校", "年级班级", "学科", "授课教师", "课题", "听课人", "评价表", "版本",
           "状态", "总分", "等级", "亮点", "问题", "建议", "反馈方式", "反馈日期", "学校确认", "记录时间"]
BATCH = 500


def dimensions(records: Select) -> list[str]:
    """The dimension texts of the records' versions, in page order, each once."""
    versions = select(records.order_by(None).subquery().c.version_id).distinct()
    rows = db.session.execute(select(Item.text).join(Item.section).where(Section.version_id.in_(versions))
                              .order_by(Section.version_id, Section.position, Item.position))
    return list(dict.fromkeys(text for (text,) in rows))


def scores_of(ids: list[int]) -> dict[int, dict[str, float]]:
    """{record id: {dimension text: points}} in one query."""
    found: dict[int, dict[str, float]] = {}
    rows = db.session.execute(select(ObservationScore.observation_id, Item.text, ObservationScore.points)
                              .join(Item, Item.id == ObservationScore.item_id)
                              .where(ObservationScore.observation_id.in_(ids)))
    for observation_id, text, points in rows:
        if points is not None:
            found.setdefault(observation_id, {})[text] = float(points)
    return found


def rows(records: Select, columns: list[str]):
    for batch in db.session.scalars(records.execution_options(yield_per=BATCH)).partitions():
        scores = scores_of([r.id for r in batch])
        for r in batch:
            mine = scores.get(r.id, {})
            yield [r.observed_on.isoformat(), r.period, r.school.code, r.school.name, r.class_label, r.subject,
                   r.teacher_name, r.topic, r.observer.display_name if r.observer else "", r.version.template.name,
                   r.version.number, r.status.value, float(r.total) if r.final else None, r.grade or "", r.strengths,
                   r.problems, r.suggestions, r.feedback_way.value if r.feedback_way else "",
                   r.feedback_on.isoformat() if r.feedback_on else "", "已确认" if r.acknowledged_at else "",
                   local(r.started_at)] + [mine.get(text) for text in columns]


def workbook(records: Select) -> excel.Book:
    """`records`: the list's query (its filters, its reader's scope, its order)."""
    columns = dimensions(records)
    book = excel.Book()
    book.table("听课记录", HEADERS + columns, rows(records, columns), cap=40)
    return book
