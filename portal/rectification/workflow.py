"""Who may move a rectification item from which state to which: the transitions as data, and the
one function that applies a step or refuses it.

    待整改 OPEN ──提交整改报告 (school)──▶ 已提交 SUBMITTED ──销号 (inspector)──▶ 已销号 CLOSED
    已退回 RETURNED ◀──退回, with a comment (inspector)──┘   and RETURNED ──提交整改报告──▶ SUBMITTED

The school answers (Action.EDIT, its own school only). Who may edit an item and who verifies it are
security.py's policy: the item's named verifier closes or returns it (or the office); whoever
inspects at the school, or the verifier, may edit it. Nobody answers or edits a closed item; the
school never closes.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_login import current_user

from ..extensions import db
from ..idempotency import made
from ..models import RectificationEvent, RectificationItem, RectificationStatus, Step, utcnow
from ..security import Action, allowed, can_edit_item, can_verify_item

OPEN, SUBMITTED, RETURNED, CLOSED = (RectificationStatus.OPEN, RectificationStatus.SUBMITTED,
                                     RectificationStatus.RETURNED, RectificationStatus.CLOSED)
# The states in which the school owes an answer: only these can be overdue.
AWAITING_SCHOOL = frozenset({OPEN, RETURNED})


def school_answers(item: RectificationItem) -> bool:
    return allowed(current_user, Action.EDIT, item.school_id)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[RectificationStatus]
    target: RectificationStatus | None            # None: the state stays (an edit)
    may: Callable[[RectificationItem], bool]      # whether the current user may take the step
    needs_comment: bool = False


TRANSITIONS: dict[Step, Transition] = {
    Step.EDIT: Transition(frozenset({OPEN, SUBMITTED, RETURNED}), None, can_edit_item),
    Step.SUBMIT: Transition(AWAITING_SCHOOL, SUBMITTED, school_answers),
    Step.RETURN: Transition(frozenset({SUBMITTED}), RETURNED, can_verify_item, needs_comment=True),
    Step.CLOSE: Transition(frozenset({SUBMITTED}), CLOSED, can_verify_item),
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
    """The steps the item's state allows and the current user may take (what the page offers)."""
    return {step for step, transition in TRANSITIONS.items() if item.status in transition.sources and transition.may(item)}
