"""Overdue and due soon, against the county's calendar day (Asia/Shanghai), never the server's
or UTC's: an item due 2026-11-23 is overdue from 2026-11-24 00:00 Beijing time (16:00 UTC).

Only items awaiting the school's answer (待整改, 已退回) can be overdue or due soon; a submitted
item waits for the inspector, a closed one for nobody. Every rule takes `today` as an argument.
"""
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_

from ..models import RectificationItem
from .workflow import AWAITING_SCHOOL

DUE_SOON_DAYS = 7    # the principal's home lists what falls due within this many days
DEFAULT_DAYS = 30    # a new item's default time to put things right


def default_due(today: date) -> date:
    return today + timedelta(days=DEFAULT_DAYS)


def days_overdue(item: RectificationItem, today: date) -> int:
    """Whole days past the due date while the school still owes an answer; 0 otherwise."""
    if item.status not in AWAITING_SCHOOL or today <= item.due_date:
        return 0
    return (today - item.due_date).days


def is_overdue(item: RectificationItem, today: date) -> bool:
    return days_overdue(item, today) > 0


def is_due_soon(item: RectificationItem, today: date, days: int = DUE_SOON_DAYS) -> bool:
    return item.status in AWAITING_SCHOOL and today <= item.due_date <= today + timedelta(days=days)


def overdue_clause(today: date) -> ColumnElement:
    """is_overdue() as SQL, for lists and counts."""
    return and_(RectificationItem.status.in_(AWAITING_SCHOOL), RectificationItem.due_date < today)


def due_soon_clause(today: date, days: int = DUE_SOON_DAYS) -> ColumnElement:
    return and_(RectificationItem.status.in_(AWAITING_SCHOOL),
                RectificationItem.due_date.between(today, today + timedelta(days=days)))
