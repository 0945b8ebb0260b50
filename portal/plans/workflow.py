"""Who may move a plan from which state to which, and how an approved plan changes.

    草稿 DRAFT ──提交审核 (school)──▶ 待审核 SUBMITTED ──批准 (office / assigned reviewer)──▶ 已批准 APPROVED
    已退回 RETURNED ◀──退回修改, with a comment──┘    RETURNED ──提交审核──▶ SUBMITTED

The school drafts freely while the plan is 草稿 or 已退回 (Action.EDIT, its own school only); nobody
changes a plan awaiting review. Once approved, goals and milestones change only through a recorded
revision (who, why, what changed) and the approved baseline (plan.baseline) stays as it was.
Progress (milestone status, notes, evidence) is kept only on an approved plan.
"""
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..idempotency import made
from ..models import (Dimension, GoalComment, MilestoneStatus, MilestoneUpdate, Plan, PlanEvent, PlanRevision, PlanStatus,
                      PlanStep, utcnow)
from ..security import Action
from . import progress

DRAFT, SUBMITTED, RETURNED, APPROVED = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.APPROVED
DRAFTING = frozenset({DRAFT, RETURNED})  # edited freely by the school


@dataclass(frozen=True)
class Transition:
    sources: frozenset[PlanStatus]
    target: PlanStatus
    action: Action            # INSPECT: the office, or the assigned reviewer (views: load_own on reviewer_id)
    needs_comment: bool = False


TRANSITIONS: dict[PlanStep, Transition] = {
    PlanStep.SUBMIT: Transition(DRAFTING, SUBMITTED, Action.EDIT),
    PlanStep.RETURN: Transition(frozenset({SUBMITTED}), RETURNED, Action.INSPECT, needs_comment=True),
    PlanStep.APPROVE: Transition(frozenset({SUBMITTED}), APPROVED, Action.INSPECT),
}


class Refused(Exception):
    """A change the plan's state does not allow, with a message for the user (409)."""


def create(plan: Plan, *, actor_id: int | None, now: datetime | None = None) -> Plan:
    plan.status, plan.created_by_id = DRAFT, actor_id
    plan.events.append(PlanEvent(step=PlanStep.CREATE, actor_id=actor_id, at=now or utcnow()))
    db.session.add(plan)
    return plan


def missing(plan: Plan) -> list[str]:
    """What a plan lacks before it can be submitted: a goal in every dimension, a milestone for every goal."""
    covered = {goal.dimension for goal in plan.goals}
    problems = [f"“{d.value}”还没有目标" for d in Dimension if d not in covered]
    problems += [f"目标“{goal.text[:20]}”还没有里程碑" for goal in plan.goals if not goal.milestones]
    return problems


def check(plan: Plan, step: PlanStep) -> Transition:
    transition = TRANSITIONS[step]
    if plan.status not in transition.sources:
        raise Refused(f"这份规划{plan.status.value}，不能{step.value}。")
    return transition


def apply(plan: Plan, step: PlanStep, *, actor_id: int | None, comment: str = "", key: str | None = None,
          goal_comments: dict[int, str] | None = None, now: datetime | None = None) -> PlanEvent:
    """Make the step (or raise Refused and change nothing). Not committed. A resent form (same `key`)
    returns the event it made. `goal_comments`: the reviewer's word per goal id."""
    if (done := made(PlanEvent, key)) is not None:
        if done.plan_id != plan.id:
            raise Refused("请求标识重复，请刷新页面后重试。")
        return done
    transition = check(plan, step)
    comment = (comment or "").strip()
    goal_comments = {goal_id: text.strip() for goal_id, text in (goal_comments or {}).items() if text and text.strip()}
    if transition.needs_comment and not (comment or goal_comments):
        raise Refused(f"{step.value}时必须写明意见。")
    if step is PlanStep.SUBMIT and (problems := missing(plan)):
        raise Refused("规划还不完整，不能提交：" + "；".join(problems) + "。")
    now = now or utcnow()
    plan.status = transition.target
    if step is PlanStep.SUBMIT:
        plan.submitted_at = now
    elif step is PlanStep.APPROVE:
        plan.approved_at, plan.baseline = now, progress.snapshot(plan)
    event = PlanEvent(step=step, actor_id=actor_id, at=now, comment=comment, client_key=key)
    goals = {goal.id: goal for goal in plan.goals}
    for goal_id, text in goal_comments.items():
        if goal_id in goals:
            event.comments.append(GoalComment(goal=goals[goal_id], text=text))
    plan.events.append(event)
    return event


def check_editable(plan: Plan) -> bool:
    """Whether goals and milestones may change now: True when a change must be a recorded revision
    (approved), False when it is free drafting; Refused while the plan awaits review."""
    if plan.status in DRAFTING:
        return False
    if plan.status is APPROVED:
        return True
    raise Refused(f"这份规划{plan.status.value}，审核完成前不能修改。")


def check_removable(plan: Plan) -> None:
    """Goals and milestones are removed only while drafting: an approved one is revised or marked 未达成."""
    if plan.status not in DRAFTING:
        raise Refused(f"这份规划{plan.status.value}，不能删除目标或里程碑；可通过调整修改内容，或把里程碑标为未达成。")


def check_progress(plan: Plan) -> None:
    if plan.status is not APPROVED:
        raise Refused("规划批准后才能更新进度、上传佐证和自评。")


def revise(plan: Plan, changes: list[str], *, actor_id: int | None, reason: str,
           now: datetime | None = None) -> PlanRevision | None:
    """Record a change to an approved plan (nothing when nothing changed). Not committed."""
    if not changes or plan.status is not APPROVED:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise Refused("调整已批准的规划须写明理由。")
    revision = PlanRevision(actor_id=actor_id, at=now or utcnow(), reason=reason, changes=changes)
    plan.revisions.append(revision)
    return revision


def record_update(milestone, status, note: str, *, actor_id: int | None, today, key: str | None = None,
                  now: datetime | None = None):
    """The school's progress update: the milestone takes the status (done on `today`, the county's
    date, when it becomes 已完成) and the update is kept as a history line. Not committed."""
    if status is MilestoneStatus.OVERDUE:
        raise Refused("“已逾期”由完成时间自动判断，不能手动设置。")
    if status is MilestoneStatus.DONE and milestone.status is not MilestoneStatus.DONE:
        milestone.done_on = today
    elif status is not MilestoneStatus.DONE:
        milestone.done_on = None
    milestone.status, milestone.note = status, note or ""
    update = MilestoneUpdate(status=status, note=note or "", actor_id=actor_id, at=now or utcnow(), client_key=key)
    milestone.updates.append(update)
    return update
