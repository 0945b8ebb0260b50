"""What other pages show of the plans: a school's current plan at a glance (the school page, the
principal's home) and the milestones that address a rectification item (the item's page)."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Goal, Milestone, Plan, RectificationItem, milestone_rectification
from . import board, progress, workflow

WITH_MILESTONES = selectinload(Plan.goals).selectinload(Goal.milestones).selectinload(Milestone.files)


def school_plan(school_id: int, today: date) -> dict | None:
    """The school's current plan summed up: its completion and, once approved, what needs attention."""
    plans = db.session.scalars(select(Plan).where(Plan.school_id == school_id).options(WITH_MILESTONES)).all()
    plan = board.current(plans, today)
    if plan is None:
        return None
    approved = plan.status is workflow.APPROVED
    return dict(plan=plan, summary=progress.summary(plan, today), today=today,
                attention=progress.attention(plan, today) if approved else [], approved=approved)


def milestones_of(item: RectificationItem) -> list[Milestone]:
    """The plan milestones linked to a rectification item."""
    return db.session.scalars(select(Milestone).join(milestone_rectification).where(
        milestone_rectification.c.rectification_id == item.id).options(joinedload(Milestone.goal))).all()
