"""报送: the office sends a task to chosen schools, follows who has handed in, reminds, returns and
collects everything in one download; each school answers its own."""
from datetime import timedelta

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import clock, errors, excel
from ..extensions import db
from ..files.uploads import UploadError
from ..htmx import is_partial, render, see_other
from ..idempotency import committed, made, new_key
from ..models import ReportAnswer, ReportTask, TaskKind, utcnow
from ..security import Action, authorize, can_read_report_answer, can_read_report_task, load, load_by
from ..storage import storage
from . import bundle, deadlines, queries, questions, sending, table, workflow
from .forms import AnswerForm, RemindForm, ReturnForm, TaskForm

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
bp.add_app_template_global(questions.hint, "question_hint")


@bp.errorhandler(workflow.Refused)
def refused(problem: workflow.Refused):
    db.session.rollback()
    return errors.respond(409, str(problem))


def load_answer(answer_id: int, policy=can_read_report_answer) -> ReportAnswer:
    return load_by(policy, ReportAnswer, answer_id, joinedload(ReportAnswer.task), joinedload(ReportAnswer.school),
                   joinedload(ReportAnswer.attachment))


def managed(task_id: int) -> ReportTask:
    return load(ReportTask, task_id, Action.MANAGE, selectinload(ReportTask.answers))


def to_task(task: ReportTask):
    return see_other(url_for("tasks.detail", task_id=task.id))


def to_answer(answer: ReportAnswer):
    return see_other(url_for("tasks.answer", answer_id=answer.id))


@bp.get("/")
def index():
    authorize(Action.VIEW)
    return render("tasks/index.html", overview=queries.overview(clock.today()))


@bp.route("/new", methods=["GET", "POST"])
def create():
    authorize(Action.MANAGE)
    today = clock.today()
    form = TaskForm(today, data={"key": new_key(), "due_date": today + timedelta(days=7)}
                    if request.method == "GET" else None)
    if request.args.get("preview"):  # the filters changed: only the list of schools they leave
        return render("tasks/new.html", "schools", form=form, schools=sending.candidates(form))
    if form.validate_on_submit():
        if (existing := made(ReportTask, form.key.data)) is not None:  # a second tap on 发布
            return to_task(existing)
        schools = sending.chosen(form)
        if schools:
            task = sending.send(form, schools, current_user.id)
            if committed():
                flash(f"报送任务已发给 {len(schools)} 所学校。", "success")
            else:
                sending.discard(task)
                task = made(ReportTask, form.key.data)
            return to_task(task)
    return render("tasks/new.html", form=form, schools=sending.candidates(form), status=422 if form.errors else 200)


@bp.get("/<int:task_id>")
def detail(task_id: int):
    return _detail(load_by(can_read_report_task, ReportTask, task_id, selectinload(ReportTask.answers)))


def _detail(task: ReportTask, block: str | None = None):
    today = clock.today()
    rows = queries.rows(task, today)
    return render("tasks/detail.html", block, task=task, rows=rows, today=today,
                  tally=deadlines.tally(r.standing for r in rows),
                  owing=sum(1 for r in rows if r.standing in deadlines.OWED and r.answer.reminded_on != today))


@bp.post("/<int:task_id>/remind")
def remind(task_id: int):
    """催报: every school still owing an answer, or the one named; once a day each."""
    task = managed(task_id)
    form = RemindForm()
    if not form.validate():
        abort(400)
    count = workflow.remind([a for a in task.answers if form.school.data in (None, a.school_id)], clock.today())
    db.session.commit()
    flash(f"已提醒 {count} 所学校报送，学校首页会显示提醒。" if count else "今天已经提醒过，不再重复提醒。", "success")
    return _detail(task, "answers") if is_partial() else to_task(task)


@bp.get("/<int:task_id>/answers.zip")
def download(task_id: int):
    task = managed(task_id)
    if task.kind is TaskKind.FORM:
        abort(404)
    return bundle.zipped(queries.handed_in(task), f"{task.title}-{clock.today().isoformat()}.zip")


@bp.get("/<int:task_id>/answers.xlsx")
def workbook(task_id: int):
    task = managed(task_id)
    answers = queries.handed_in(task)
    if task.kind is TaskKind.FILE:
        abort(404)
    book = table.merged(task, answers) if task.kind is TaskKind.TABLE else bundle.form_answers(task, answers)
    return excel.download(book, f"{task.title}-汇总-{clock.today().isoformat()}.xlsx")


@bp.get("/answers/<int:answer_id>")
def answer(answer_id: int):
    return _answer(load_answer(answer_id))


def _answer(answer: ReportAnswer, status: int = 200, **parts):
    today = clock.today()
    parts.setdefault("form", AnswerForm(formdata=None, data={"key": new_key()}))
    parts.setdefault("return_form", ReturnForm(formdata=None))
    parts.setdefault("values", answer.values or {})
    return render("tasks/answer.html", answer=answer, task=answer.task, today=today, status=status,
                  standing=deadlines.standing(answer, answer.task.due_date, today),
                  may_answer=workflow.school_answers(answer) and deadlines.open_to_school(answer, answer.task.due_date, today),
                  may_return=workflow.office(answer) and answer.status in workflow.TRANSITIONS[workflow.RETURN].sources,
                  **{"problems": {}, "row_errors": [], "file_error": None, **parts})


@bp.post("/answers/<int:answer_id>")
def submit(answer_id: int):
    """报送 (or 报送 again): the file, the form's values or the filled-in table; a second tap or a resent
    request (the same key) is stored once."""
    answer = load_answer(answer_id, workflow.TRANSITIONS[workflow.SUBMIT].may)
    # The same form sent twice at once: the second waits here for the first to commit, then reads its key.
    db.session.execute(select(ReportAnswer.id).where(ReportAnswer.id == answer.id).with_for_update())
    db.session.expire(answer)
    form = AnswerForm()
    if form.key.data and answer.client_key == form.key.data:
        return to_answer(answer)
    today = clock.today()
    workflow.check(answer, workflow.SUBMIT, today)
    if not form.validate_on_submit():
        return _answer(answer, 422, form=form)
    task, old = answer.task, answer.attachment
    if task.kind is TaskKind.FORM:
        given = {str(n): request.form.get(f"q{n}", "") for n in range(1, len(task.questions) + 1)}
        values, problems = questions.check(task.questions, given)
        if problems:
            return _answer(answer, 422, form=form, values=values, problems=problems)
        answer.values = values
    else:
        try:
            answer.attachment, answer.rows = sending.received(task, form.file.data, school_id=answer.school_id,
                                                              user_id=current_user.id)
        except sending.RowProblems as found:
            return _answer(answer, 422, form=form, row_errors=found.errors)
        except (UploadError, excel.WorkbookError) as problem:
            return _answer(answer, 422, form=form, file_error=str(problem))
        if old is not None:
            db.session.delete(old)
    kept = answer.attachment
    workflow.submit(answer, actor_id=current_user.id, key=form.key.data, now=utcnow(), today=today)
    if committed():
        if old is not None and task.kind is not TaskKind.FORM:
            storage().delete(old.storage_key)
        flash("已报送。截止日期前可以重新报送。", "success")
    elif kept is not None and kept is not old:  # the other tap's answer was stored: this one's bytes go
        storage().delete(kept.storage_key)
    return to_answer(answer)


@bp.post("/answers/<int:answer_id>/return")
def return_answer(answer_id: int):
    """退回 with a comment: the school sees it on its home and answers again."""
    answer = load_answer(answer_id, workflow.office)
    form = ReturnForm()
    if answer.status is workflow.RETURNED and answer.return_comment == (form.comment.data or "").strip():
        return to_answer(answer)  # a resent 退回
    workflow.check(answer, workflow.RETURN, clock.today())
    if not form.validate_on_submit():
        return _answer(answer, 422, return_form=form)
    workflow.send_back(answer, form.comment.data, now=utcnow(), today=clock.today())
    db.session.commit()
    flash(f"已退回{answer.school.name}，学校会在首页看到退回意见。", "success")
    return to_answer(answer)
