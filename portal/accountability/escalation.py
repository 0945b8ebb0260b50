"""督办: the escalation rules for overdue rectification items, and the run that applies them.

- DUBAN_NOTICE_DAYS overdue (default 7): a 督办通知 to the school (documents/orders.py), giving it
  DUBAN_NEW_DEADLINE_DAYS more days; the item's own due date stays, so the days keep counting.
- DUBAN_LEADER_DAYS overdue (default 30): the item is put before the leaders (their home page).

Each rule applies to an item once (models.SupervisionOrder, unique per item and rule), however often
the run repeats and whoever else runs at the same moment: a run reads which items are due, then makes
each one's order in a transaction of its own; when another run made it first, the unique constraint
refuses the second row and that transaction (its 督办通知's number included) is rolled back. "Today"
is the county's (portal/clock.py). An item still overdue after its due date was moved keeps its
orders: a rule is never applied to the same item twice.

The daily run is `flask duban run` (cron); the office can start one from the 问责 page. Either way it
is a background job (portal/jobs.py, models.EscalationRun).
"""
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError

from .. import clock, jobs
from ..documents import orders
from ..extensions import db
from ..idempotency import committed
from ..models import EscalationRun, OrderRule, RectificationItem, SupervisionOrder, utcnow
from ..rectification.overdue import days_overdue
from ..rectification.workflow import AWAITING_SCHOOL

log = logging.getLogger(__name__)


def threshold(rule: OrderRule) -> int:
    """Days overdue from which `rule` applies (settings)."""
    config = current_app.config
    return config["DUBAN_NOTICE_DAYS"] if rule is OrderRule.NOTICE else config["DUBAN_LEADER_DAYS"]


def overdue_by(days: int, today: date):
    """Items the school still owes an answer on, at least `days` days past their due date (SQL)."""
    return and_(RectificationItem.status.in_(AWAITING_SCHOOL), RectificationItem.due_date <= today - timedelta(days=days))


def due(rule: OrderRule, today: date) -> list[int]:
    """The ids of the items `rule` applies to today and has not been applied to yet."""
    done = exists().where(SupervisionOrder.rectification_id == RectificationItem.id, SupervisionOrder.rule == rule)
    return list(db.session.scalars(select(RectificationItem.id).where(overdue_by(threshold(rule), today), ~done)
                                   .order_by(RectificationItem.due_date, RectificationItem.id)))


def order(item: RectificationItem, rule: OrderRule, today: date) -> SupervisionOrder:
    """Apply `rule` to `item` (not committed). The order row goes in first: when another run has
    made it, the flush fails here, before a 督办通知 takes a number."""
    days = days_overdue(item, today)
    made = SupervisionOrder(rectification=item, school_id=item.school_id, rule=rule, found_on=today,
                            due_date=item.due_date, days_overdue=days)
    db.session.add(made)
    db.session.flush()
    if rule is OrderRule.NOTICE:
        made.new_deadline = today + timedelta(days=current_app.config["DUBAN_NEW_DEADLINE_DAYS"])
        made.document = orders.issued(item, days=days, new_deadline=made.new_deadline, today=today, now=utcnow())
    return made


@dataclass
class Outcome:
    notices: list[int]     # the 督办通知 (document ids) sent
    leaders: int = 0       # items put before the leaders
    skipped: int = 0       # made meanwhile by another run


def run(today: date, job: EscalationRun | None = None) -> Outcome:
    """Apply every rule to every item it is due for, one committed item at a time. A 督办通知's PDF is
    stored right after it is committed (documents/pdfs.py; a failure there only defers it to the
    first opening)."""
    from ..documents import pdfs

    work = [(rule, item_id) for rule in OrderRule for item_id in due(rule, today)]
    outcome = Outcome(notices=[])
    if job is not None:
        job.total = len(work)
    db.session.commit()  # the list is read: end its transaction (on SQLite it holds the write lock)
    for rule, item_id in work:
        item = db.session.get(RectificationItem, item_id)
        if days_overdue(item, today) < threshold(rule):  # answered or moved since the list was read
            made = None
        else:
            try:
                made = order(item, rule, today)
                if job is not None:
                    job.notices += rule is OrderRule.NOTICE
                    job.leaders += rule is OrderRule.LEADERS
                db.session.commit()
            except IntegrityError:  # another run made this one first
                db.session.rollback()
                log.info("督办 %s of item %s already made by another run", rule.name, item_id)
                outcome.skipped += 1
                made = None
        if made is not None and made.document is not None:
            outcome.notices.append(made.document.id)
            pdfs.store(made.document)
        elif made is not None:
            outcome.leaders += 1
        if job is not None:
            job.done += 1
            db.session.commit()
    return outcome


def start(user_id: int | None = None, key: str | None = None) -> EscalationRun | None:
    """A run waiting for the job worker (committed); None when a resend of the same form made it first."""
    job = EscalationRun(created_by_id=user_id, client_key=key)
    db.session.add(job)
    return job if committed() else None


def perform(job: EscalationRun) -> None:
    """The job's work (portal/jobs.py claims the row and marks it done or failed)."""
    run(clock.today(), job)


jobs.register(EscalationRun, perform)
