"""The county board to Excel: one row per school with its plan's completion per dimension and its
stage per year, and a sheet of the late milestones."""
from datetime import date

from .. import excel
from ..models import Dimension, Milestone
from . import progress
from .board import Row

HEADERS = (["学校代码", "学校", "教育集团", "乡镇", "公办强校", "规划期", "规划状态", "里程碑数", "已完成", "完成率%", "逾期"]
           + [f"{d.short}%" for d in Dimension] + ["第一年阶段目标", "第二年阶段目标", "第三年阶段目标"])
LATE_HEADERS = ["学校代码", "学校", "维度", "目标", "里程碑", "完成时间", "逾期天数", "责任人"]


def board_rows(found: list[Row]):
    for row in found:
        school, plan, summary = row.school, row.plan, row.summary
        head = [school.code, school.name, school.education_group, school.township, "是" if school.is_project_school else "否"]
        if plan is None:
            yield head + ["", "未制定"] + [None] * (len(HEADERS) - 7)
            continue
        overall = summary.overall
        yield (head + [plan.period, plan.status.value, overall.total, overall.done, overall.percent,
                       overall.overdue if row.approved else None]
               + [summary.dimensions[d].percent for d in Dimension]
               + [row.stages[y].value if row.stages else "" for y in progress.YEARS])


def late_rows(milestones: list[Milestone], today: date):
    for m in milestones:
        school = m.goal.plan.school
        yield [school.code, school.name, m.goal.dimension.value, m.goal.text, m.title, m.due_date.isoformat(),
               progress.days_overdue(m, today), m.owner]


def workbook(found: list[Row], late: list[Milestone], today: date) -> excel.Book:
    book = excel.Book()
    book.table("规划完成情况", HEADERS, board_rows(found), cap={**dict.fromkeys(HEADERS, 12), "学校": 30, "规划期": 16})
    book.table("逾期里程碑", LATE_HEADERS, late_rows(late, today),
               cap={**dict.fromkeys(LATE_HEADERS, 16), "学校": 30, "目标": 40, "里程碑": 40})
    return book
