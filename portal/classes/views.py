"""A school's classes (with timetable) and teachers: shown to whoever sees the school, kept by its
principal or the office, imported from one Excel workbook (all or nothing)."""
from functools import partial

from flask import Blueprint, url_for
from sqlalchemy.orm import selectinload

from .. import excel
from ..forms import Form, workbook_field
from ..htmx import render
from ..models import School, SchoolClass
from ..observations.recording import classes_of, teachers_of
from ..security import Action, load
from . import workbook

bp = Blueprint("classes", __name__, url_prefix="/schools/<int:school_id>/classes")


class ImportForm(Form):
    file = workbook_field("班级、课表与教师（Excel .xlsx）")


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
    return excel.upload(form, partial(workbook.read_into, school), workbook.MAX_BYTES,
                        then=lambda outcome: url_for("classes.index", school_id=school.id),
                        page=partial(_page, school, form))


@bp.get("/lists.xlsx")
def download(school_id: int):
    """The school's lists in the import's format (the import template, with example rows when empty)."""
    school = load(School, school_id, Action.VIEW)
    return excel.download(workbook.export(classes_with_slots(school.id), teachers_of(school.id)),
                          f"{school.name}-班级课表教师.xlsx")
