from flask import Blueprint, current_app, flash, request, url_for
from sqlalchemy import select

from .. import audit, clock
from .. import excel
from ..extensions import db
from ..forms import inline_check
from ..htmx import render, see_other
from ..models import School, User, utcnow
from ..plans import queries as plans
from ..queries import audit_trail
from ..security import Action, authorize, load, scoped
from ..rectification import queries as rectification
from ..supervision import standings
from . import history, queries, roster
from .forms import RosterImportForm, SchoolFilterForm, SchoolForm

bp = Blueprint("schools", __name__, url_prefix="/schools")


@bp.get("/")
def index():
    authorize(Action.VIEW)
    filters = SchoolFilterForm(request.args)
    filters.validate()
    stmt = scoped(queries.from_form(filters), School.id)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("schools/index.html", "results", filters=filters, page=page)


@bp.get("/<int:school_id>")
def detail(school_id: int):
    school = load(School, school_id, Action.VIEW)
    people = db.session.scalars(
        select(User).where((User.school_id == school.id) | User.schools.any(School.id == school.id))
        .where(User.active).order_by(User.role, User.username)
    ).all()
    history = audit.history(db.session.scalars(audit_trail(school)))
    today = clock.today()
    return render("schools/detail.html", school=school, people=people, history=history,
                  rectification=rectification.counts(today, school.id), school_plan=plans.school_plan(school.id, today))


def _history(school: School) -> dict:
    today = clock.today()
    entries = history.inspections(school.id)
    return dict(entries=entries, items=history.open_items(school.id), lessons=history.lessons(school.id, today),
                school_plan=plans.school_plan(school.id, today))


@bp.get("/<int:school_id>/history")
def school_history(school_id: int):
    """督导档案: the school's results over time with its ranks, open items, plan and lessons."""
    school = load(School, school_id, Action.VIEW)
    found = _history(school)
    return render("schools/history.html", school=school, chart=history.chart_rows(found["entries"]),
                  today=clock.today(), category=standings.grouping().category(school.kind), **found)


@bp.get("/<int:school_id>/history.xlsx")
def history_export(school_id: int):
    school = load(School, school_id, Action.VIEW)
    found = _history(school)
    return excel.download(history.workbook(school, found["entries"], found["items"], found["lessons"]),
                          f"{school.name}-督导档案-{clock.local(utcnow(), '%Y-%m-%d')}.xlsx")


@bp.route("/new", methods=["GET", "POST"])
def create():
    authorize(Action.MANAGE)
    form = SchoolForm()
    return _save(form, School(), "学校已添加。")


@bp.route("/<int:school_id>/edit", methods=["GET", "POST"])
def edit(school_id: int):
    school = load(School, school_id, Action.MANAGE)
    form = SchoolForm(school=school)
    return _save(form, school, "学校信息已保存。")


def _save(form: SchoolForm, school: School, message: str):
    """Shared tail of create and edit: inline check, validate, save, answer."""
    if inline_check(form):
        return render("schools/form.html", "form", form=form, school=school)
    if form.validate_on_submit():
        form.populate_obj(school)
        db.session.add(school)
        db.session.commit()
        flash(message, "success")
        return see_other(url_for("schools.detail", school_id=school.id))
    return render("schools/form.html", "form", form=form, school=school, status=422 if form.errors else 200)


@bp.route("/import", methods=["GET", "POST"])
def import_roster():
    """Upload a roster workbook: every bad row listed, or all of it applied."""
    authorize(Action.MANAGE)
    form = RosterImportForm()
    return excel.upload(form, roster.import_roster, roster.MAX_BYTES, then=lambda outcome: url_for("schools.index"),
                        page=lambda errors, status: render("schools/import.html", "upload", status, form=form,
                                                           errors=errors, columns=roster.COLUMNS,
                                                           max_rows=roster.MAX_ROWS))


@bp.get("/export.xlsx")
def export_roster():
    """The list as the index shows it (same filters, same scope), in the import's columns."""
    authorize(Action.VIEW)
    filters = SchoolFilterForm(request.args)
    filters.validate()
    schools = db.session.scalars(scoped(queries.from_form(filters), School.id)).all()
    return excel.download(roster.export(schools), f"学校名单-{clock.local(utcnow(), '%Y-%m-%d')}.xlsx")


@bp.get("/import-template.xlsx")
def roster_template():
    authorize(Action.MANAGE)
    return excel.download(roster.template(), "学校名单导入模板.xlsx")
