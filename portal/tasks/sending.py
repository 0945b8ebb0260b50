"""Sending a task to its schools, and taking in what a school sends back (a file, or a filled-in table
checked row by row). Nothing here commits."""
from ..excel import XLSX, RowError
from ..extensions import db
from ..files.evidence import DOCUMENT_MAX_BYTES
from ..files.uploads import UploadError, accept, store
from ..models import Attachment, ReportAnswer, ReportTask, School, TaskKind
from ..storage import storage
from . import table


class RowProblems(ValueError):
    """A filled-in table with rows that do not fit the template: nothing is kept."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} 处问题")
        self.errors = errors


def candidates(form) -> list[School]:
    return db.session.scalars(form.candidates()).all()


def chosen(form) -> list[School]:
    """The schools the task goes to: every candidate, or those ticked of them; [] with the reason beside
    the schools field."""
    schools = candidates(form)
    if form.school_mode.data == "picked":
        ticked = set(form.schools.data or [])
        schools = [s for s in schools if s.id in ticked]
        if len(schools) != len(ticked):
            form.schools.errors = [*form.schools.errors, "所选学校中有不符合筛选条件或已停用的学校，请重新选择"]
            return []
    if not schools:
        form.schools.errors = [*form.schools.errors, "没有符合条件的在用学校"]
    return schools


def send(form, schools: list[School], user_id: int) -> ReportTask:
    """The task from a valid TaskForm, with an answer waiting at each school (added, not committed)."""
    kind = form.chosen_kind
    task = ReportTask(title=form.title.data, instructions=form.instructions.data or "", kind=kind,
                      due_date=form.due_date.data, audience=form.audience(), created_by_id=user_id,
                      client_key=form.key.data, questions=form.parsed_questions if kind is TaskKind.FORM else [],
                      headers=form.headers if kind is TaskKind.TABLE else [],
                      answers=[ReportAnswer(school_id=s.id) for s in schools])
    if kind is TaskKind.TABLE:
        task.template = store(form.template_data, form.template.data.filename or "模板.xlsx", XLSX,
                              school_id=None, user_id=user_id)
    db.session.add(task)
    return task


def discard(task: ReportTask) -> None:
    """A task that lost the race to its double (same key): its template's bytes go."""
    if task.template is not None:
        storage().delete(task.template.storage_key)


def received(task: ReportTask, upload, *, school_id: int, user_id: int) -> tuple[Attachment, list]:
    """What a school sends for a file or table task, checked and stored (the Attachment is unsaved):
    (the file, the table's rows). UploadError or excel.WorkbookError with a message for beside the field,
    RowProblems listing a table's bad rows."""
    if upload is None or not getattr(upload, "filename", ""):
        raise UploadError("请选择要上传的文件")
    filename = upload.filename
    if task.kind is TaskKind.TABLE:
        data = upload.read(table.MAX_BYTES + 1)
        rows, errors = table.check_rows(task.headers, data)
        if errors:
            raise RowProblems(errors)
        return store(data, filename, XLSX, school_id=school_id, user_id=user_id), rows
    data = upload.read(DOCUMENT_MAX_BYTES + 1)
    kind = accept(data, filename, max_bytes=DOCUMENT_MAX_BYTES)
    if kind.startswith("image/"):
        raise UploadError(f"“{filename}”是照片。请上传 PDF、Word 或 Excel 文件（照片可插入 Word 文档后上传）。")
    return store(data, filename, kind, school_id=school_id, user_id=user_id), []
