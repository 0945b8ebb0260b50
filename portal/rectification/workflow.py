"""Who may move a rectification item from which state to which: the transitions as data, and the
one function that applies a step or refuses it.

    待整改 OPEN ──提交整改报告 (school)──▶ 已提交 SUBMITTED ──销号 (inspector)──▶ 已销号 CLOSED
    已退回 RETURNED ◀──退回, with a comment (inspector)──┘   and RETURNED ──提交整改报告──▶ SUBMITTED

The school answers (Action.EDIT, its own school only); the inspector of the school's area or the
office verifies (Action.INSPECT). Nobody answers or edits a closed item; the school never closes.
"""
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..idempotency import made
from ..models import RectificationEvent, RectificationItem, RectificationStatus, Step, utcnow
from ..security import Action

OPEN, SUBMITTED, RETURNED, CLOSED = (RectificationStatus.OPEN, RectificationStatus.SUBMITTED,
                                     RectificationStatus.RETURNED, RectificationStatus.CLOSED)
# The states in which the school owes an answer: only these can be overdue.
AWAITING_SCHOOL = frozenset({OPEN, RETURNED})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[RectificationStatus]
    target: RectificationStatus | None  # None: the state stays (an edit)
    action: Action                       # what the user must be allowed at the item's school
    needs_comment: bool = False


TRANSITIONS: dict[Step, Transition] = {
    Step.EDIT: Transition(frozenset({OPEN, SUBMITTED, RETURNED}), None, Action.INSPECT),
    Step.SUBMIT: Transition(AWAITING_SCHOOL, SUBMITTED, Action.EDIT),
    Step.RETURN: Transition(frozenset({SUBMITTED}), RETURNED, Action.INSPECT, needs_comment=True),
    Step.CLOSE: Transition(frozenset({SUBMITTED}), CLOSED, Action.INSPECT),
}


def create(item: RectificationItem, *, actor_id: int | None, now: datetime | None = None) -> RectificationItem:
    """A new item starts 待整改 with its creation as the first step of its history (not committed)."""
    item.status, item.created_by_id = OPEN, actor_id
    item.events.append(RectificationEvent(step=Step.CREATE, actor_id=actor_id, at=now or utcnow()))
    db.session.add(item)
    return item


class Refused(Exception):
    """A step that is not allowed from the item's state, with a message for the user (409)."""


def check(item: RectificationItem, step: Step) -> Transition:
    """The transition for `step`, or Refused when the item's state does not allow it."""
    transition = TRANSITIONS[step]
    if item.status not in transition.sources:
        raise Refused(f"这项整改{item.status.value}，不能{step.value}。")
    return transition


def apply(item: RectificationItem, step: Step, *, actor_id: int | None, comment: str = "", key: str | None = None,
          now: datetime | None = None) -> RectificationEvent:
    """Make the step (or raise Refused and change nothing); its event goes into the history.
    Not committed: the caller commits. A resent form (same `key`) returns the event it made."""
    if (done := made(RectificationEvent, key)) is not None:
        if done.rectification_id != item.id:
            raise Refused("请求标识重复，请刷新页面后重试。")
        return done
    transition = check(item, step)
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise Refused(f"{step.value}时必须写明理由。")
    now = now or utcnow()
    if transition.target is not None:
        item.status = transition.target
    if step is Step.SUBMIT:
        item.report, item.submitted_at, item.submitted_by_id = comment, now, actor_id
    elif step is Step.CLOSE:
        item.closed_at = now
    event = RectificationEvent(step=step, actor_id=actor_id, at=now, comment=comment, client_key=key)
    item.events.append(event)
    return event


def allowed_steps(item: RectificationItem) -> set[Step]:
    """The steps the item's state allows (the page still asks security whether the user may)."""
    return {step for step, transition in TRANSITIONS.items() if item.status in transition.sources}
