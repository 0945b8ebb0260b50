"""A school's record over time (督导档案): its handed-in inspections with their place in their
ranking (supervision/ranking.py: its round's, else its template's over the semester) and the change
since the previous comparable one, its open rectification items and its lessons (推门听课) per
semester. Read through the records' policies: a principal sees approved results only."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from .. import clock, excel
from ..extensions import db
from ..models import (Inspection, Observation, ObservationStatus, RectificationItem, RectificationStatus,
                      TemplateVersion)
from ..rectification.queries import ordered, visible
from ..security import HANDED_IN, readable_inspections, readable_observations
from ..supervision import ranking
from ..supervision.standings import Ranks

SEMESTERS = 6  # the lessons table: this semester and the five before


@dataclass
class Entry:
    inspection: Inspection
    place: ranking.Place | None   # None: not approved yet, or not the school's result in its ranking

    @property
    def mode(self) -> str:
        return self.inspection.round.mode.value if self.inspection.round else "日常检查"


def inspections(school_id: int) -> list[Entry]:
    """The school's handed-in inspections the user may read, newest first, each with its place."""
    found = db.session.scalars(readable_inspections(
        select(Inspection).where(Inspection.school_id == school_id, Inspection.status.in_(HANDED_IN)))
        .options(joinedload(Inspection.round), joinedload(Inspection.version).joinedload(TemplateVersion.template))
        .order_by(Inspection.visit_date.desc(), Inspection.id.desc())).all()
    ranks = Ranks()
    return [Entry(i, ranks.of(i)) for i in found]


def chart_rows(entries: list[Entry]) -> list[tuple]:
    """The chart's bars, oldest first: (label, percent, text, state) as macros/charts.html draws them."""
    rows = []
    for entry in reversed(entries):
        i = entry.inspection
        state = "bad" if i.critical_failed or (i.percent is not None and i.percent < 60) else (
            "warn" if i.percent is not None and i.percent < 80 else "ok")
        text = f"{float(i.percent):g}% {i.band or ''}" if i.percent is not None else "无得分"
        if entry.place and entry.place.rank is not None:
            text += f" 第{ranking.rank_text(entry.place)}名"
        rows.append((f"{i.visit_date:%Y-%m-%d} {i.version.template.name[:6]}", float(i.percent or 0), text, state))
    return rows


def open_items(school_id: int) -> list[RectificationItem]:
    """The school's rectification items not closed, what needs the school first."""
    return db.session.scalars(ordered(visible().where(
        RectificationItem.school_id == school_id, RectificationItem.status != RectificationStatus.CLOSED))).all()


@dataclass
class Lessons:
    semester: clock.Semester
    count: int
    average: Decimal | None


def lessons(school_id: int, today: date) -> list[Lessons]:
    """Finished lessons observed at the school in each of the last semesters, newest first (one query)."""
    terms = clock.recent_semesters(today, SEMESTERS)
    which = case(*((Observation.observed_on.between(t.start, t.end), t.code) for t in terms), else_=None)
    stmt = readable_observations(
        select(which, func.count(), func.avg(Observation.total))
        .where(Observation.school_id == school_id, Observation.status == ObservationStatus.FINAL,
               Observation.observed_on.between(terms[-1].start, terms[0].end)).group_by(which))
    found = {code: (n, None if avg is None else Decimal(str(avg)).quantize(Decimal("0.1")))
             for code, n, avg in db.session.execute(stmt)}
    return [Lessons(t, *found.get(t.code, (0, None))) for t in terms]


def workbook(school, entries: list[Entry], items: list[RectificationItem], taught: list[Lessons]) -> excel.Book:
    book = excel.Book()
    book.table("督导检查", ["检查日期", "检查表", "版本", "督导批次", "督导方式", "状态", "得分率%", "等级", "一票否决",
                        "排名类别", "名次", "名次升降"],
               [[e.inspection.visit_date.isoformat(), e.inspection.version.template.name, e.inspection.version.number,
                 e.inspection.round.name if e.inspection.round else "", e.mode, e.inspection.status.value,
                 None if e.inspection.percent is None else float(e.inspection.percent), e.inspection.band or "",
                 "是" if e.inspection.critical_failed else "",
                 *([e.place.category, ranking.rank_text(e.place), ranking.change_text(e.place)] if e.place
                   else ["", "", ""])] for e in entries])
    book.table("待整改", ["问题", "整改要求", "期限", "状态"],
               [[i.problem, i.requirement, i.due_date.isoformat(), i.status.value] for i in items])
    book.table("推门听课", ["学期", "听课节数", "平均得分"],
               [[t.semester.name, t.count, None if t.average is None else float(t.average)] for t in taught])
    return book
