import io

from flask import Blueprint, current_app, flash, request, send_file, url_for
from sqlalchemy import select

from ..extensions import db
from ..forms import inline_check
from ..htmx import render, see_other
from ..models import AuditLog, Role, School, User
from ..security import Action, authorize, load, scoped
from . import queries, roster
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
    history = db.session.scalars(
        select(AuditLog).where(AuditLog.entity == "school", AuditLog.entity_id == str(school.id))
        .order_by(AuditLog.id.desc()).limit(20)
    ).all()
    return render("schools/detail.html", school=school, people=people, history=history, Role=Role)


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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/import", methods=["GET", "POST"])
def import_roster():
    authorize(Action.MANAGE)
    form = RosterImportForm()
    if not form.validate_on_submit():
        return render("schools/import.html", form=form, result=None, status=422 if form.errors else 200)
    result = roster.apply(form.file.data.stream)
    if result.errors:
        db.session.rollback()
        return render("schools/import.html", form=form, result=result, status=422)
    db.session.commit()
    flash(f"导入完成：新增 {result.created} 所，更新 {result.updated} 所，未变 {result.unchanged} 所。", "success")
    return see_other(url_for("schools.index"))


@bp.get("/export.xlsx")
def export_roster():
    authorize(Action.VIEW)
    filters = SchoolFilterForm(request.args)
    filters.validate()
    schools = db.session.scalars(scoped(queries.from_form(filters), School.id)).all()
    return send_file(io.BytesIO(roster.export(schools)), mimetype=XLSX, as_attachment=True,
                     download_name=roster.filename("学校名单"))


@bp.get("/import-template.xlsx")
def roster_template():
    authorize(Action.MANAGE)
    return send_file(io.BytesIO(roster.template()), mimetype=XLSX, as_attachment=True,
                     download_name="学校名单导入模板.xlsx")
