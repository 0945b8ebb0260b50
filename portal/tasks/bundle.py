"""Everything the schools handed in for a task as one download: their files in a zip, each named by
the school's code and name; a form's answers (and a table's rows, tables.merged) as one workbook."""
import io
import tempfile
import zipfile
from pathlib import PurePath

from flask import send_file

from .. import excel
from ..models import ReportAnswer, ReportTask
from ..storage import storage

SPOOL = 8 << 20  # a zip up to this size stays in memory; a larger one goes to a temporary file


def entry_name(answer: ReportAnswer) -> str:
    """学校代码-学校名称 with the file's own extension: how the office files them."""
    suffix = PurePath(answer.attachment.filename).suffix.lower()[:10] if answer.attachment else ""
    return f"{answer.school.code}-{answer.school.name}{suffix}".replace("/", "_")


def zipped(answers: list[ReportAnswer], name: str):
    """The handed-in files as a zip download. Stored, not deflated: PDF, Word and Excel are zips or
    compressed already, and the office's machine should not wait for nothing."""
    file = tempfile.SpooledTemporaryFile(SPOOL)
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as bundle:
        for answer in answers:
            if answer.attachment is not None:
                bundle.write(storage().path(answer.attachment.storage_key), entry_name(answer))
    size = file.tell()
    file.seek(0)
    if size <= SPOOL:  # as excel.download: a small one from memory, a larger one from its file, closed with the response
        with file:
            file = io.BytesIO(file.read())
    response = send_file(file, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.content_length = size
    return response


def form_answers(task: ReportTask, answers: list[ReportAnswer]) -> excel.Book:
    """A form task's answers: a row per school, a column per question."""
    book = excel.Book()
    labels = [q["label"] for q in task.questions]
    book.table("汇总", ["学校代码", "学校名称", *labels],
               ([a.school.code, a.school.name, *(a.values.get(str(n)) for n in range(1, len(labels) + 1))]
                for a in answers), as_text=("学校代码",), wrap=True)
    return book
