"""Rectification items to Excel: one row per item, the list's filters and scope, read a batch at a time."""
from datetime import date

from sqlalchemy import Select

from .. import excel
from ..clock import local
from ..extensions import db
from .overdue import days_overdue

HEADERS = ["学校代码", "学校", "存在问题", "整改要求", "整改期限", "优先级", "状态", "逾期天数", "来源检查", "验收督学",
           "提交时间", "销号时间"]


def rows(items: Select, today: date):
    for item in db.session.scalars(items.execution_options(yield_per=500)):
        source = f"{item.inspection.visit_date.isoformat()} 检查 #{item.inspection.id}" if item.inspection else "直接添加"
        yield [item.school.code, item.school.name, item.problem, item.requirement, item.due_date.isoformat(),
               item.priority.value, item.status.value, days_overdue(item, today) or None, source,
               item.inspector.display_name if item.inspector else "", local(item.submitted_at), local(item.closed_at)]


def workbook(items: Select, today: date) -> excel.Book:
    """`items`: the list's query (its filters, its reader's scope, its order)."""
    book = excel.Book()
    book.table("整改事项", HEADERS, rows(items, today), cap={**dict.fromkeys(HEADERS, 24), "存在问题": 50, "整改要求": 50})
    return book
