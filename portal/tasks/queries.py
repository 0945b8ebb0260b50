"""Reading 报送 tasks and answers for pages, each list narrowed by its policy in security.py."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import AnswerStatus, ReportAnswer, ReportTask, School
from ..security import can_read_report_answer, readable_report_answers, readable_report_tasks
from . import deadlines
from .deadlines import Standing


@dataclass
class Row:
    answer: ReportAnswer
    standing: Standing


def answers_of(task: ReportTask) -> Select:
    """The task's answers the current user may read (a principal: their school's alone), by school code."""
    return readable_report_answers(
        select(ReportAnswer).join(ReportAnswer.school).where(ReportAnswer.task_id == task.id)
        .options(joinedload(ReportAnswer.school), joinedload(ReportAnswer.attachment),
                 joinedload(ReportAnswer.submitted_by)).order_by(School.code))


def rows(task: ReportTask, today: date) -> list[Row]:
    """The readable answers with where each school stands: those owing an answer first."""
    found = [Row(a, deadlines.standing(a, task.due_date, today)) for a in db.session.scalars(answers_of(task))]
    return sorted(found, key=lambda r: r.standing not in deadlines.OWED)


def handed_in(task: ReportTask) -> list[ReportAnswer]:
    return [a for a in db.session.scalars(answers_of(task)) if a.status is AnswerStatus.SUBMITTED]


def school_open(school_id: int | None, today: date) -> list[Row]:
    """A school's tasks it may still answer (owed, or handed in and the deadline not passed), soonest first:
    what its home page shows."""
    if not school_id:
        return []
    answers = db.session.scalars(
        select(ReportAnswer).join(ReportAnswer.task).where(ReportAnswer.school_id == school_id)
        .where((ReportAnswer.status != AnswerStatus.SUBMITTED) | (ReportTask.due_date >= today))
        .options(joinedload(ReportAnswer.task)).order_by(ReportTask.due_date, ReportTask.id)).all()
    return [Row(a, deadlines.standing(a, a.task.due_date, today)) for a in answers]


def overview(today: date) -> list[tuple[ReportTask, dict, list[Row]]]:
    """Each readable task with the tally of where its (readable) schools stand, and their rows: the
    office sees every school's, a principal their own school's alone."""
    found = []
    for task in db.session.scalars(readable_report_tasks(select(ReportTask)).options(
            selectinload(ReportTask.answers).joinedload(ReportAnswer.school))
            .order_by(ReportTask.due_date.desc(), ReportTask.id.desc())):
        seen = [Row(a, deadlines.standing(a, task.due_date, today)) for a in task.answers if can_read_report_answer(a)]
        found.append((task, deadlines.tally(r.standing for r in seen), seen))
    return found
