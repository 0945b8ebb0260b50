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
from . import planning
from .forms import RoundForm

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


@bp.get("/")
def index():
    authorize(Action.MANAGE)
    rounds = db.session.scalars(select(Round).options(joinedload(Round.version)).order_by(Round.starts_on.desc(),
                                                                                         Round.id.desc())).all()
    counts = dict(db.session.execute(select(Inspection.round_id, func.count()).where(
        Inspection.round_id.in_([r.id for r in rounds])).group_by(Inspection.round_id)).all())
    return render("rounds/index.html", rounds=rounds, counts=counts, today=today())


@bp.route("/new", methods=["GET", "POST"])
def create():
    authorize(Action.MANAGE)
    form = RoundForm(data={"key": new_key(), "starts_on": today()} if request.method == "GET" else None)
    error = None
    if request.args.get("preview"):  # the filters changed: only the list of schools they leave
        return render("rounds/new.html", "schools", form=form, error=None, schools=candidates(form))
    if form.validate_on_submit():
        existing = made(Round, form.key.data)
        if existing is not None:  # a second tap on 创建 finds the first one's round
            return see_other(url_for("rounds.detail", round_id=existing.id))
        try:
            created = plan(form)
        except planning.PlanningError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            return see_other(url_for("rounds.detail", round_id=created.id))
    return render("rounds/new.html", form=form, error=error, schools=candidates(form),
                  status=422 if form.errors or error else 200)


def candidates(form: RoundForm) -> list:
    return db.session.scalars(planning.candidate_schools(form.school_kind.data, form.group.data or "",
                                                         form.township.data or "", form.project.data)).all()


def plan(form: RoundForm) -> Round:
    """The round, its draws and one inspection per school (added, not committed)."""
    new = Round(name=form.name.data, kind=form.kind.data, version_id=form.version.data, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, notes=form.notes.data or "", client_key=form.key.data,
                created_by_id=current_user.id)
    pool = candidates(form)
    if form.school_mode.data == "random":
        rule = filters_in_words(form)
        new.school_draw, schools = planning.draw_schools(f"{new.name} 学校", pool, form.school_count.data, rule)
    else:
        chosen = set(form.schools.data)
        schools = [s for s in pool if s.id in chosen]
        if len(schools) != len(chosen):
            raise planning.PlanningError("所选学校中有不符合筛选条件或已停用的学校，请重新选择")
    for a in planning.assign(new.name, schools, form.chosen_inspectors(), form.inspector_mode.data == "random",
                             form.exclude_own_zone.data):
        new.inspections.append(Inspection(school=a.school, version_id=new.version_id, inspector=a.inspector,
                                          inspector_draw=a.draw, visit_date=new.starts_on))
    db.session.add(new)
    return new


def filters_in_words(form: RoundForm) -> str:
    parts = [form.school_kind.data.value if form.school_kind.data else None, form.group.data, form.township.data, "公办强校项目学校" if form.project.data else None]
    return "候选：在用学校" + "".join(f"，{p}" for p in parts if p)


@bp.get("/<int:round_id>")
def detail(round_id: int):
    record = load(Round, round_id, Action.MANAGE, selectinload(Round.inspections).options(
        joinedload(Inspection.school), joinedload(Inspection.inspector), joinedload(Inspection.inspector_draw)))
    answered, day = planning.answered_counts([i.id for i in record.inspections]), today()
    rows = sorted(((i, planning.progress(i, answered.get(i.id, 0)), planning.is_late(i, record.ends_on, day),
                    answered.get(i.id, 0)) for i in record.inspections), key=lambda r: (not r[2], r[0].school.code))
    tally = {p: sum(1 for r in rows if r[1] is p) for p in planning.Progress}
    return render("rounds/detail.html", round=record, rows=rows, tally=tally, late=sum(1 for r in rows if r[2]),
                  items=sum(len(s.items) for s in record.version.sections))
