from flask import Blueprint, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..clock import today
from ..extensions import db
from ..htmx import render, see_other
from ..idempotency import made, new_key
from ..models import Inspection, Round
from ..security import Action, authorize, load
from ..teams import roster
from ..supervision import sheet, standings
from . import planning
from .forms import RoundFilterForm, RoundForm

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


@bp.get("/")
def index():
    authorize(Action.MANAGE)
    filters = RoundFilterForm(request.args)
    filters.validate()
    stmt = select(Round).options(joinedload(Round.version)).order_by(Round.starts_on.desc(), Round.id.desc())
    if filters.mode.data and not filters.mode.errors:
        stmt = stmt.where(Round.mode == filters.mode.data)
    rounds = db.session.scalars(stmt).all()
    counts = dict(db.session.execute(select(Inspection.round_id, func.count()).where(
        Inspection.round_id.in_([r.id for r in rounds])).group_by(Inspection.round_id)).all())
    return render("rounds/index.html", "results", filters=filters, rounds=rounds, counts=counts, today=today())


@bp.route("/new", methods=["GET", "POST"])
def create():
    authorize(Action.MANAGE)
    form = RoundForm(data={"key": new_key(), "starts_on": today()} if request.method == "GET" else None)
    error = None
    if request.args.get("preview"):  # the filters changed: only the list of schools they leave
        return render("rounds/new.html", "schools", form=form, error=None, pool=planning.candidates(**form.filters()))
    if form.validate_on_submit():
        existing = made(Round, form.key.data)
        if existing is not None:  # a second tap on 创建 finds the first one's round
            return see_other(url_for("rounds.detail", round_id=existing.id))
        try:  # the whole plan or nothing: a refusal leaves no round, draw or inspection behind
            created = planning.plan(
                form.new_round(current_user.id), planning.candidates(**form.filters()),
                draw_count=form.school_count.data if form.school_mode.data == "random" else None,
                chosen=set(form.schools.data or []), rule=planning.in_words(**form.filters()),
                inspectors=form.chosen_inspectors(), inspectors_at_random=form.inspector_mode.data == "random",
                exclude_own_zone=form.exclude_own_zone.data, team=form.team.data or [])
        except planning.PlanningError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            return see_other(url_for("rounds.detail", round_id=created.id))
    return render("rounds/new.html", form=form, error=error, pool=planning.candidates(**form.filters()),
                  compulsory=planning.COMPULSORY,
                  status=422 if form.errors or error else 200)


@bp.get("/<int:round_id>")
def detail(round_id: int):
    record = load(Round, round_id, Action.MANAGE, selectinload(Round.inspections).options(
        joinedload(Inspection.school), joinedload(Inspection.inspector), joinedload(Inspection.inspector_draw)))
    scores, day = sheet.totals(record.inspections), today()  # answered of the items that apply at each school
    rows = sorted(((i, planning.progress(i, scores[i.id].answered), planning.is_late(i, record.ends_on, day),
                    scores[i.id]) for i in record.inspections), key=lambda r: (not r[2], r[0].school.code))
    tally = {p: sum(1 for r in rows if r[1] is p) for p in planning.Progress}
    before = standings.previous_round(record)
    return render("rounds/detail.html", round=record, rows=rows, tally=tally, late=sum(1 for r in rows if r[2]),
                  teams=roster.team_names(record.inspections),
                  standings=standings.of_round(record), before=before)
