"""Who may move a school's answer to a 报送 task from which state to which, as data, and the one
function that applies a step or refuses it.

    未报送 PENDING ──报送 (school)──▶ 已报送 SUBMITTED ──退回, with a comment (office)──▶ 已退回 RETURNED
                                      ▲   └──报送 again, until the deadline                  │
                                      └────────────────────报送 (school)──────────────────────┘

A reminder (催报) goes to a school that still owes an answer, once a county day at most. The school
answers (Action.EDIT at its own school); the office returns and reminds (Action.MANAGE).
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_login import current_user

from ..models import AnswerStatus, ReportAnswer
from ..security import Action, allowed
from . import deadlines

PENDING, SUBMITTED, RETURNED = AnswerStatus.PENDING, AnswerStatus.SUBMITTED, AnswerStatus.RETURNED


def school_answers(answer: ReportAnswer) -> bool:
    return allowed(current_user, Action.EDIT, answer.school_id)


def office(answer: ReportAnswer) -> bool:
    return allowed(current_user, Action.MANAGE, answer.school_id)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[AnswerStatus]
    target: AnswerStatus | None
    may: Callable[[ReportAnswer], bool]
    label: str


SUBMIT, RETURN, REMIND = "submit", "return", "remind"
TRANSITIONS: dict[str, Transition] = {
    SUBMIT: Transition(frozenset({PENDING, SUBMITTED, RETURNED}), SUBMITTED, school_answers, "报送"),
    RETURN: Transition(frozenset({SUBMITTED}), RETURNED, office, "退回"),
    REMIND: Transition(frozenset({PENDING, RETURNED}), None, office, "催报"),
}


class Refused(Exception):
    """A step the answer's state (or the calendar) does not allow, with a message for the user (409)."""


def check(answer: ReportAnswer, step: str, today: date) -> Transition:
    transition = TRANSITIONS[step]
    if answer.status not in transition.sources:
        raise Refused(f"{answer.school.name}的报送{answer.status.value}，不能{transition.label}。")
    if step == SUBMIT and not deadlines.open_to_school(answer, answer.task.due_date, today):
        raise Refused("已过截止日期，已报送的内容不能再修改；如需修改，请联系督导室退回。")
    return transition


def submit(answer: ReportAnswer, *, actor_id: int, key: str, now: datetime, today: date) -> None:
    """Record the answer as handed in (its content already set by the caller). Not committed."""
    check(answer, SUBMIT, today)
    answer.status, answer.submitted_at, answer.submitted_by_id, answer.client_key = SUBMITTED, now, actor_id, key


def send_back(answer: ReportAnswer, comment: str, *, now: datetime, today: date) -> None:
    check(answer, RETURN, today)
    if not comment.strip():
        raise Refused("退回时必须写明理由。")
    answer.status, answer.returned_at, answer.return_comment = RETURNED, now, comment.strip()


def remind(answers: list[ReportAnswer], today: date) -> int:
    """Remind those still owing an answer that have not been reminded today. Returns how many were."""
    count = 0
    for answer in answers:
        if answer.status in TRANSITIONS[REMIND].sources and answer.reminded_on != today:
            answer.reminders, answer.reminded_on = answer.reminders + 1, today
            count += 1
    return count
