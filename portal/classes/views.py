"""A school's classes (with timetable) and teachers: shown to whoever sees the school, kept by its
principal or the office, imported from one Excel workbook (all or nothing)."""
from flask import Blueprint, flash, url_for
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy.orm import selectinload

from .. import excel
from ..extensions import db
from ..forms import Form
from ..htmx import render, see_other
from ..models import School, SchoolClass
from ..observations.recording import classes_of, teachers_of
from ..security import Action, load
from . import workbook

bp = Blueprint("classes", __name__, url_prefix="/schools/<int:school_id>/classes")


class ImportForm(Form):
    file = FileField("班级、课表与教师（Excel .xlsx）", validators=[
        FileRequired("请选择要导入的 Excel 文件"), FileAllowed(["xlsx"], "只能导入 .xlsx 格式的 Excel 文件")],
        render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


def classes_with_slots(school_id: int) -> list[SchoolClass]:
    return classes_of(school_id, selectinload(SchoolClass.slots))


@bp.get("/")
def index(school_id: int):
    school = load(School, school_id, Action.VIEW)
    return _page(school, ImportForm(formdata=None))


def _page(school: School, form: ImportForm, errors=(), status: int = 200):
    return render("classes/index.html", "upload", status, school=school, form=form, errors=errors,
                  classes=classes_with_slots(school.id), teachers=teachers_of(school.id), sheets=workbook.HEADERS)


@bp.post("/import")
def import_lists(school_id: int):
    school = load(School, school_id, Action.EDIT)
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        try:
            outcome = workbook.read_into(school, form.file.data.read(workbook.MAX_BYTES + 1))
        except excel.WorkbookError as error:
            form.file.errors.append(str(error))
        else:
            if not outcome.errors:
                db.session.commit()
                flash(f"导入完成：{outcome.summary}。", "success")
                return see_other(url_for("classes.index", school_id=school.id))
            errors = outcome.errors
    return _page(school, form, errors, 422)


@bp.get("/lists.xlsx")
def download(school_id: int):
    """The school's lists in the import's format (the import template, with example rows when empty)."""
    school = load(School, school_id, Action.VIEW)
    return excel.download(workbook.export(classes_with_slots(school.id), teachers_of(school.id)),
                          f"{school.name}-班级课表教师.xlsx")
