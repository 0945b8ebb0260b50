"""Writing a plan: a new plan from a blank outline or from the previous period's plan, and changes to
goals and milestones described in words (what a revision of an approved plan records)."""
from datetime import date

from ..models import Goal, Milestone, Plan


def default_title(school_name: str, start_year: int) -> str:
    return f"{school_name}三年发展规划（{start_year}—{start_year + 2}学年）"


def shifted(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def copy_from(previous: Plan, plan: Plan) -> None:
    """Start `plan` from `previous`: its goals, and its milestones moved by the years between the two
    periods, all 未开始 again. Terms move with them ("2022-1" → "2025-1")."""
    years = plan.start_year - previous.start_year
    for old in previous.goals:
        goal = Goal(dimension=old.dimension, text=old.text)
        for m in old.milestones:
            term = None
            if m.term:
                first, _, half = m.term.partition("-")
                term = f"{int(first) + years}-{half}"
            goal.milestones.append(Milestone(title=m.title, due_date=shifted(m.due_date, years), term=term,
                                             owner=m.owner, result=m.result))
        plan.goals.append(goal)


def short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def change_goal(goal: Goal, text: str) -> list[str]:
    """Set the goal's text; the change in words (empty when nothing changed)."""
    if goal.text == text:
        return []
    before, goal.text = goal.text, text
    return [f"目标“{short(before)}”改为“{short(text)}”"]


def change_milestone(milestone: Milestone, values: dict, labels: dict[str, str]) -> list[str]:
    """Set the milestone's fields from `values`; each change in words, with its before and after."""
    changes = []
    name = short(milestone.title)
    for attribute, value in values.items():
        before = getattr(milestone, attribute)
        if before != value:
            setattr(milestone, attribute, value)
            if attribute in labels:
                changes.append(f"里程碑“{name}”的{labels[attribute]}：{short(str(before))} → {short(str(value))}")
    return changes
