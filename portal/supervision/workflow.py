"""Who may move an inspection from which state to which: the transitions as data, and the one
function that applies a step or refuses it (as rectification/workflow.py and plans/workflow.py).

    草稿 DRAFT ──提交 (its inspector, the 组长 of a 督导组)──▶ 待审核 SUBMITTED ──通过 (the office)──▶ 已通过 APPROVED
    已退回 RETURNED ◀──退回, with a comment (the office)──┘   and RETURNED ──提交──▶ SUBMITTED

提交 is refused while an item lacks the evidence its rule asks for (submission.blockers); the total
is kept on the inspection as it is handed in (what the county figures read).
"""
import enum
from collections.abc import Callable
from dataclasses import dataclass

from flask_login import current_user

from ..models import Inspection, InspectionStatus, utcnow
from ..security import Action, allowed, can_lead_inspection
from . import sheet

DRAFT, SUBMITTED, APPROVED, RETURNED = (InspectionStatus.DRAFT, InspectionStatus.SUBMITTED,
                                        InspectionStatus.APPROVED, InspectionStatus.RETURNED)


class Step(enum.Enum):
    SUBMIT = "提交"
    APPROVE = "审核通过"
    RETURN = "退回"


def office_reviews(inspection: Inspection) -> bool:
    """The office reviews official inspections; a school's self-check, once handed in, is not reviewed."""
    return not inspection.is_self_check and allowed(current_user, Action.MANAGE, inspection.school_id)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[InspectionStatus]
    target: InspectionStatus
    may: Callable[[Inspection], bool]      # whether the current user may take the step
    refused: str                           # why not, from another state ("这次检查{state}，…")


TRANSITIONS: dict[Step, Transition] = {
    Step.SUBMIT: Transition(frozenset({DRAFT, RETURNED}), SUBMITTED, can_lead_inspection, "不能再修改"),
    Step.APPROVE: Transition(frozenset({SUBMITTED}), APPROVED, office_reviews, "不在待审核状态"),
    Step.RETURN: Transition(frozenset({SUBMITTED}), RETURNED, office_reviews, "不在待审核状态"),
}


class Refused(Exception):
    """A step not allowed from the inspection's state, with a message for the user (409)."""


def check(inspection: Inspection, step: Step) -> None:
    """Refused when the inspection's state does not allow `step` (who may take it is its `may`)."""
    transition = TRANSITIONS[step]
    if inspection.status not in transition.sources:
        raise Refused(f"这次检查{inspection.status.value}，{transition.refused}。")


def submit(inspection: Inspection, built: sheet.Sheet) -> None:
    """Hand the inspection in (checked with check(); not committed)."""
    inspection.status = TRANSITIONS[Step.SUBMIT].target
    inspection.submitted_at = utcnow()
    sheet.record_result(inspection, built)


def review(inspection: Inspection, approve: bool, comment: str, actor_id: int) -> None:
    """The office's decision (checked with check(); not committed)."""
    inspection.status = TRANSITIONS[Step.APPROVE if approve else Step.RETURN].target
    inspection.review_comment = comment
    inspection.reviewed_at, inspection.reviewed_by_id = utcnow(), actor_id
