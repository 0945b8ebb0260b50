"""Workbooks as portal/excel.py writes them: typed text stays text (never a formula that runs when the
file is opened), whatever it starts with, in every export; a sheet past Excel's row limit goes on."""
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import literal, select, update

from portal import excel
from portal.demo import seed
from portal.extensions import db
from portal.models import (Answer, ChecklistTemplate, Item, Milestone, Observation, RectificationItem, Round, School,
                           SchoolClass, Section, User)

TYPED = ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1", "#N/A", " 留空格 "]
LEADS = ("=", "+", "-", "@", "\t", "\r")


def read(book: excel.Book):
    with book.close() as file:
        return load_workbook(file)


def test_text_that_starts_like_a_formula_is_kept_as_text():
    book = excel.Book()
    book.table("说明", ["说明", "得分"], [[text, -12.5] for text in TYPED])
    rows = list(read(book).active.iter_rows(min_row=2))
    assert [(note.value, note.data_type) for note, _ in rows] == [(text, "s") for text in TYPED]
    assert all((points.value, points.data_type) == (-12.5, "n") for _, points in rows)  # numbers keep their sign


def test_a_sheet_past_the_row_limit_goes_on_to_the_next(monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 3)  # a header and two rows a sheet
    book = excel.Book()
    assert book.table("明细", ["序号"], ([n] for n in range(5))) == 5
    book.table("其他", ["序号"], [])
    workbook = read(book)
    assert workbook.sheetnames == ["明细", "明细（2）", "明细（3）", "其他"]
    assert [[row[0] for row in sheet.iter_rows(values_only=True)] for sheet in workbook] == [
        ["序号", 0, 1], ["序号", 2, 3], ["序号", 4], ["序号"]]


def prefix(column, lead: str, end: str = ""):
    return {column.key: literal(lead) + column + literal(end)}


def test_no_export_turns_typed_text_into_a_formula(app, auth):
    """The demo county with text typed by its users starting like a formula, in every field an export shows."""
    with app.app_context():
        seed()
        for model, column, lead, end in [
            (School, School.name, '=HYPERLINK("http://x","', '")'), (Answer, Answer.note, "=1+1 ", ""),
            (Observation, Observation.teacher_name, "@", ""), (Observation, Observation.topic, "+", ""),
            (Observation, Observation.strengths, "-", ""), (Observation, Observation.problems, "\t=", ""),
            (Observation, Observation.suggestions, "\r=", ""), (RectificationItem, RectificationItem.problem, "=", ""),
            (Milestone, Milestone.title, "=", ""), (Milestone, Milestone.owner, "=", ""), (Item, Item.text, "=", ""),
            (Section, Section.title, "=", ""), (SchoolClass, SchoolClass.name, "=", ""), (Round, Round.name, "=", ""),
            (User, User.display_name, "=", ""), (ChecklistTemplate, ChecklistTemplate.name, "=", ""),
        ]:
            db.session.execute(update(model).values(prefix(column, lead, end))
                               .execution_options(synchronize_session=False))
        db.session.commit()
        version = db.session.scalar(select(Section.version_id).order_by(Section.version_id))
        school = db.session.scalar(select(SchoolClass.school_id))
    auth.login_as("admin")
    with_data = [
        "/schools/export.xlsx?status=all", "/inspections/export.xlsx", "/observations/export.xlsx",
        "/rectification/export.xlsx?status=", "/plans/export.xlsx", "/overview.xlsx",
        f"/balance/export.xlsx?year={date.today().year}", f"/checklists/versions/{version}/export.xlsx",
        f"/schools/{school}/classes/lists.xlsx",
    ]
    templates = ["/schools/import-template.xlsx", "/balance/import-template.xlsx", "/checklists/import-template.xlsx"]
    for path in with_data + templates:
        response = auth.client.get(path)
        assert response.status_code == 200 and response.mimetype == excel.XLSX, path
        cells = [cell for sheet in load_workbook(io.BytesIO(response.data)) for row in sheet.iter_rows() for cell in row
                 if cell.value is not None]
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == [], path
        typed = [cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith(LEADS)]
        assert typed or path in templates, path


def test_exports_read_a_batch_at_a_time_have_the_same_rows(app, auth, monkeypatch):
    """The large exports read their records in batches from one open cursor, querying answers and scores
    per batch in between (a server-side cursor on PostgreSQL): one record a batch changes nothing."""
    from portal.observations import export as observations
    from portal.supervision import export as inspections

    with app.app_context():
        seed()
        db.session.commit()
    auth.login_as("admin")
    paths = ["/inspections/export.xlsx", "/observations/export.xlsx"]

    def sheets():
        books = [load_workbook(io.BytesIO(auth.client.get(path).data)) for path in paths]
        return [[list(sheet.iter_rows(values_only=True)) for sheet in book] for book in books]

    whole = sheets()
    monkeypatch.setattr(inspections, "BATCH", 1)
    monkeypatch.setattr(observations, "BATCH", 1)
    assert sheets() == whole
    assert all(len(rows) > 2 for (rows,) in whole)
