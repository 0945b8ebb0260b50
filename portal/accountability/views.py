"""督办与问责: the schools that lag, each school's 督办 and 问责 history, the office recording a 问责
action, and a 督办 run started by hand (the daily one is `flask duban run`)."""
from flask import Blueprint, abort, current_app, flash, url_for
from flask_login import current_user

from .. import clock, jobs
from ..extensions import db
from ..htmx import render, see_other
from ..idempotency import committed, made, new_key
from ..models import Accountability, EscalationRun, School, log_event
from ..security import Action, Reach, authorize, can_read_accountability, load, load_by, reach
from . import escalation, queries
from .forms import AccountabilityForm, RunForm

bp = Blueprint("accountability", __name__, url_prefix="/accountability")


@bp.get("/")
def index():
    """问责 candidates (schools with repeated 督办 this school year) and the 问责 records one may read."""
    authorize(Action.VIEW)
    today = clock.today()
    page = db.paginate(queries.entries(), per_page=current_app.config["PER_PAGE"], error_out=False)
    county = reach(current_user, Action.VIEW) is Reach.ALL
    return render("accountability/index.html", page=page, today=today, year=queries.school_year(today),
                  candidates=queries.candidates(today) if county else [], runs=queries.recent_runs() if county else [],
                  run_form=RunForm(formdata=None, data={"key": new_key()}))


@bp.get("/school/<int:school_id>")
def school(school_id: int):
    """A school's 督办 and 问责 history."""
    found = load(School, school_id)
    return render("accountability/school.html", school=found, orders=queries.orders_of(found.id),
                  entries=db.session.scalars(queries.entries().where(Accountability.school_id == found.id)).all())


@bp.route("/school/<int:school_id>/new", methods=["GET", "POST"])
def create(school_id: int):
    """记录问责: the office only."""
    found = load(School, school_id, Action.MANAGE)
    today = clock.today()
    items = queries.items_to_link(found.id, today)
    form = AccountabilityForm(today, items, data=dict(key=new_key(), taken_on=today))
    if form.validate_on_submit():
        entry = made(Accountability, form.key.data)
        if entry is None:  # a second tap on 保存 finds the first one's entry
            chosen = set(form.items.data or [])
            entry = Accountability(school_id=found.id, measure=form.measure.data, taken_on=form.taken_on.data,
                                   reason=form.reason.data, recorded_by_id=current_user.id, client_key=form.key.data,
                                   items=[item for item in items if item.id in chosen])
            db.session.add(entry)
            db.session.flush()
            # The change log records a new row's columns; the items it names are logged beside it.
            log_event("accountability", entry.id, "items", school_id=found.id, items=sorted(chosen))
            if committed():
                flash(f"已记录{entry.measure.value}。", "success")
        return see_other(url_for("accountability.school", school_id=found.id))
    return render("accountability/form.html", "form", form=form, school=found, status=422 if form.errors else 200)


@bp.get("/<int:entry_id>")
def entry(entry_id: int):
    found = load_by(can_read_accountability, Accountability, entry_id)
    return render("accountability/entry.html", entry=found)


@bp.post("/run")
def run():
    """立即督办检查: the rules applied now, by the job worker (a second tap finds the first run)."""
    authorize(Action.MANAGE)
    form = RunForm()
    if not form.validate():
        abort(400)
    if made(EscalationRun, form.key.data) is None and (job := escalation.start(current_user.id, form.key.data)):
        jobs.enqueue(job)
        flash("督办检查已排队，稍后刷新本页查看结果。", "success")
    return see_other(url_for("accountability.index"))
