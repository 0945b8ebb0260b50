"""推门听课: start at a school (a class drawn openly if wanted), record the lesson on the tablet
(autosaved field by field, offline-safe), finish it, give feedback; the school reads and
acknowledges; the office counts against the quota."""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from .. import audit, conflicts, excel
from ..clock import local, today
from ..extensions import db
from ..htmx import is_partial, render, reswap, see_other
from ..idempotency import Outcome, made, new_key
from ..models import Observation, School, TemplateVersion, utcnow
from ..queries import audit_trail
from ..security import Action, authorize, can_read_observation, can_record_observation, load, load_by
from . import export, grading, queries, recording
from .forms import (ChooseSchoolForm, FeedbackForm, FilterForm, LogForm, QuotaForm, RecordForm, ScoreForm,
                    StartForm)

bp = Blueprint("observations", __name__, url_prefix="/observations")
FILL = "observations/fill.html"
bp.add_app_template_global(grading.steps, "steps")


def own_draft(observation_id: int) -> Observation:
    """The current user's own record (or the office's), still open; 409 once finished."""
    observation = load_by(can_record_observation, Observation, observation_id, joinedload(Observation.version))
    if observation.final:
        abort(409, description="这条听课记录已完成，不能再修改。")
    return observation


def dimension_of(observation: Observation, item_id: int):
    """One of the record's own rubric dimensions (its version's), or 404."""
    item = next((i for i in grading.dimensions(observation.version) if i.id == item_id), None)
    return item or abort(404)


def filters(all_semesters: bool = True) -> FilterForm:
    form = FilterForm(current_user, request.args, all_semesters=all_semesters)
    form.validate()
    return form


@bp.get("/")
def index():
    authorize(Action.LESSONS)
    form = filters()
    page = db.paginate(queries.listing(form), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("observations/index.html", "results", filters=form, page=page)


@bp.get("/export.xlsx")
def export_records():
    authorize(Action.LESSONS)
    stmt = queries.listing(filters()).options(joinedload(Observation.version).joinedload(TemplateVersion.template))
    return excel.download(export.workbook(stmt), f"推门听课记录-{local(utcnow(), '%Y-%m-%d')}.xlsx")


@bp.get("/counts")
def counts():
    authorize(Action.OBSERVE)
    return _counts("results")


def _counts(block: str, quota_form: QuotaForm | None = None, status: int = 200):
    """听课统计, or one block of it; `quota_form` brings a refused 任务量 back with its errors."""
    form = filters(all_semesters=False)
    tables = {key: (label, queries.summary(form, column)) for key, (label, column) in queries.GROUPS.items()}
    totals = {key: queries.total_of(rows, "合计") for key, (_, rows) in tables.items()}
    observers = queries.by_observer(form)
    quotas = queries.quota_table()
    quota_form = quota_form or QuotaForm(formdata=None, **{name: quotas[role] for name, role in QuotaForm.ROLES.items()})
    return render("observations/counts.html", block, status, filters=form, observers=observers,
                  role_totals=queries.role_totals(observers), tables=tables, totals=totals,
                  semester=form.chosen_semester, period=form.chosen_period, quota_form=quota_form)


@bp.post("/quota")
def quota():
    authorize(Action.MANAGE)
    form = QuotaForm()
    if not form.validate_on_submit():
        return _counts("quota", form, 422)  # each refusal beside its field, what was typed kept
    for name, role in QuotaForm.ROLES.items():
        queries.set_quota(role, form[name].data)
    db.session.commit()
    flash("听课任务量已保存。", "success")
    return see_other(url_for("observations.counts"))


@bp.route("/new", methods=["GET", "POST"])
def start():
    authorize(Action.OBSERVE)
    chooser = ChooseSchoolForm(current_user, request.args)
    school_id = request.form.get("school", type=int) or chooser.school.data
    school = db.session.get(School, school_id) if isinstance(school_id, int) else None
    if school is None:
        return render("observations/start.html", chooser=chooser, form=None)
    authorize(Action.OBSERVE, school)
    form = StartForm(current_user, school, data={"school": school.id, "key": new_key()})
    if form.validate_on_submit():
        observation = made(Observation, form.key.data, Observation.observer_id == current_user.id) or recording.start(
            school, form.versions[form.version.data], current_user.id, form.key.data,
            school_class=form.chosen_class, period=form.period.data, draw=form.draw.data)
        db.session.commit()
        return see_other(url_for("observations.fill", observation_id=observation.id))
    return render("observations/start.html", "form", 422 if form.errors else 200, chooser=chooser, form=form)


@bp.get("/<int:observation_id>/record")
def fill(observation_id: int):
    observation = load_by(can_record_observation, Observation, observation_id)
    if observation.final:
        return see_other(url_for("observations.detail", observation_id=observation.id))
    return render(FILL, **_context(observation))


def _context(observation: Observation, problems: dict | None = None, **extra) -> dict:
    """What the filling page and its blocks show."""
    scores = {s.item_id: s for s in observation.scores}
    return dict(observation=observation, form=RecordForm(observation, formdata=None, obj=observation),
                result=grading.result_of(observation), dimensions=grading.dimensions(observation.version),
                scores=scores, teachers=recording.teachers_of(observation.school_id), kinds=recording.LOG_KINDS,
                problems=problems or {}, **extra)


@bp.post("/<int:observation_id>/record")
def save_record(observation_id: int):
    """Autosave of the record's own fields (one unit); the save state comes back."""
    observation = own_draft(observation_id)
    form = RecordForm(observation)
    if not form.validate():
        return _saved(observation, "record", "invalid", error=form.first_error, status=422)
    outcome = recording.save_fields(observation, form.values, form.revision.data, form.key.data)
    if outcome is Outcome.CONFLICT:
        labels = {name: form[name].label.text for name in recording.FIELDS if name != "class_id"}
        conflict = _refused(observation, "record", labels, recording.fields_of(observation), form.values, form.key.data)
        return _saved(observation, "record", outcome.value, status=409, conflict=conflict)
    return _saved(observation, "record", outcome.value)


@bp.post("/<int:observation_id>/scores/<int:item_id>")
def score(observation_id: int, item_id: int):
    """Autosave of one dimension's points: its state and the live total and grade come back."""
    observation = own_draft(observation_id)
    item = dimension_of(observation, item_id)
    form = ScoreForm(item.max_points)
    if not form.validate():
        return _saved(observation, item.id, "invalid", error=form.first_error, status=422)
    change = recording.ScoreChange(form.value.data, form.revision.data, form.key.data)
    outcome = recording.save_score(observation, item.id, change)
    if outcome is Outcome.CONFLICT:
        stored = recording.find_score(observation, item.id)
        conflict = _refused(observation, f"score:{item.id}", {"value": "得分"},
                            {"value": stored.points if stored else None}, {"value": change.points}, form.key.data)
        return _saved(observation, item.id, outcome.value, status=409, conflict=conflict)
    return _saved(observation, item.id, outcome.value)


def _refused(observation: Observation, unit: str, labels: dict, theirs: dict, mine: dict, key: str | None):
    """A refused save, logged (portal/conflicts.py): the differences to show, and the fields as typed
    for 保留我的."""
    conflicts.record(observation, unit, theirs, mine, key)
    db.session.commit()
    typed = {name: request.form.get(name, "") for name in (recording.FIELDS if unit == "record" else ("value",))}
    return conflicts.differences(labels, theirs, mine), typed


def _saved(observation: Observation, unit, outcome: str, error: str | None = None, status: int = 200,
           conflict: tuple | None = None):
    """htmx: the unit's state with the total out of band (a conflict: the whole unit as it now is,
    with `conflict`: what differs and the fields as typed). Without JavaScript: back to the unit, or
    the page with the problem beside it."""
    problems = {unit: error or outcome} if status != 200 else {}
    if not is_partial():
        db.session.commit()
        if status == 200:
            return see_other(url_for("observations.fill", observation_id=observation.id, _anchor=f"unit-{unit}"))
        return render(FILL, status=status, **_context(observation, problems=problems))
    block = "saved" if status != 409 else ("record_unit" if unit == "record" else "dimension")
    item = None if unit == "record" else dimension_of(observation, unit)
    extra = {"conflict": conflict} if conflict else {}
    response = render(FILL, block, status, **_context(observation, problems, unit=unit, item=item, outcome=outcome,
                                                      error=error, **extra))  # read before the commit expires it
    db.session.commit()
    return reswap(response, "outerHTML", f"#unit-{unit}") if status == 409 else response


@bp.post("/<int:observation_id>/log")
def log(observation_id: int):
    """A quick-log line (教师讲授, 学生讨论, …) stamped by the server."""
    observation = own_draft(observation_id)
    form = LogForm()
    if form.validate():
        recording.add_log(observation, form.kind.data, form.key.data, form.age.data)
        db.session.commit()
    if not is_partial():
        return see_other(url_for("observations.fill", observation_id=observation.id, _anchor="quick-log"))
    return render(FILL, "quick_log", 422 if form.errors else 200,
                  **_context(observation, log_error=next(iter(form.errors.values()), [None])[0]))


@bp.post("/<int:observation_id>/finish")
def finish(observation_id: int):
    observation = own_draft(observation_id)
    missing = recording.missing(observation)
    if missing:
        return render(FILL, "blockers", 422, missing=missing, **_context(observation))
    recording.finish(observation)
    db.session.commit()
    flash("听课记录已完成。请记得向授课教师反馈。", "success")
    return see_other(url_for("observations.detail", observation_id=observation.id))


@bp.get("/<int:observation_id>")
def detail(observation_id: int):
    observation = load_by(can_read_observation, Observation, observation_id, selectinload(Observation.scores))
    return _detail(observation)


def _detail(observation: Observation, form: FeedbackForm | None = None, status: int = 200):
    return render("observations/detail.html", "feedback", status, observation=observation,
                  result=grading.result_of(observation),
                  points={s.item_id: s.points for s in observation.scores},
                  dimensions=grading.dimensions(observation.version), owner=can_record_observation(observation),
                  form=form or feedback_form(observation),
                  history=audit.history(db.session.scalars(audit_trail(observation))))


def feedback_form(observation: Observation) -> FeedbackForm:
    """The feedback as recorded; a date not given yet defaults to today (the record's own None would win
    over a default passed beside it)."""
    form = FeedbackForm(formdata=None, obj=observation)
    form.feedback_on.data = observation.feedback_on or today()
    return form


@bp.post("/<int:observation_id>/feedback")
def feedback(observation_id: int):
    """The observer's feedback to the teacher (当面/书面/电话…, when, what)."""
    observation = load_by(can_record_observation, Observation, observation_id)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return _detail(observation, form, 422)
    form.populate_obj(observation)
    db.session.commit()
    flash("反馈情况已保存。", "success")
    return see_other(url_for("observations.detail", observation_id=observation.id, _anchor="feedback"))


@bp.post("/<int:observation_id>/acknowledge")
def acknowledge(observation_id: int):
    """确认已阅: the school (its principal) has read the finished record and its feedback."""
    observation = load(Observation, observation_id, Action.EDIT)
    if not observation.final:
        abort(409, description="听课记录尚未完成。")
    if observation.acknowledged_at is None:  # a second tap changes nothing
        observation.acknowledged_at, observation.acknowledged_by_id = utcnow(), current_user.id
        db.session.commit()
        flash("已确认阅读。", "success")
    return see_other(url_for("observations.detail", observation_id=observation.id))
