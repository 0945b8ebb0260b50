"""A round's per-school notices as one background job (portal/jobs.py runs it): a PDF per school
into a zip, the progress and every failed document recorded in the job's row (models.DocumentJob), so
any process can show them and nothing is skipped silently.
"""
import logging
import tempfile
import zipfile
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import clock, jobs
from ..extensions import db
from ..files.uploads import store as store_file
from ..models import DocumentJob, Inspection, InspectionStatus, School
from ..pdf import engine, pool
from . import notices

log = logging.getLogger(__name__)
ZIP = "application/zip"


def inspections_of(round_id: int, kind: str) -> list[Inspection]:
    """The round's approved inspections that get this kind of notice: every one a 督导意见书, those
    with something not met a 整改通知书."""
    found = db.session.scalars(
        select(Inspection).join(Inspection.school).where(Inspection.round_id == round_id,
                                                         Inspection.status == InspectionStatus.APPROVED)
        .options(joinedload(Inspection.school)).order_by(School.code)).all()
    if kind == "rectification":
        short = notices.with_findings(found)
        found = [inspection for inspection in found if inspection.id in short]
    return found


def create(round_id: int, kind: str, user_id: int, key: str | None) -> DocumentJob:
    job = DocumentJob(round_id=round_id, kind=kind, total=len(inspections_of(round_id, kind)), created_by_id=user_id,
                      client_key=key)
    db.session.add(job)
    return job


def prepared(inspections: list[Inspection], kind: str, today: date):
    """(inspection, its notice's HTML, the files it shows) one after the other, or (inspection,
    the error, None) when the notice cannot be prepared."""
    for inspection in inspections:
        try:
            notice = notices.inspection_notice(inspection, kind, today)
            html = notice.html()
            # The read ends here: the next PDF renders without holding the database (on SQLite a
            # worker's transaction holds the write lock, and every autosave would wait behind it).
            db.session.commit()
            yield inspection, html, notice.files
        except Exception as error:  # noqa: BLE001 - one school's document; the batch goes on
            db.session.rollback()
            log.exception("notice for inspection %s failed", inspection.id)
            yield inspection, error, None


def make(job: DocumentJob) -> None:
    """Make every school's notice, committing the progress after each one. The PDFs are made on
    every core (portal/pdf/pool.py) while this process prepares the next schools' and zips them."""
    today = clock.today()
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
            documents = prepared(inspections_of(job.round_id, job.kind), job.kind, today)
            for inspection, pdf in pool.pdfs(documents, current_app.static_folder, engine.faces().folder):
                if isinstance(pdf, Exception):
                    log.error("notice for inspection %s failed: %s", inspection.id, pdf)
                    job.failures = [*job.failures, [inspection.school.name, f"{type(pdf).__name__}: {pdf}"[:200]]]
                else:
                    archive.writestr(notices.filename(inspection, job.kind), pdf)
                job.done += 1
                db.session.commit()
            if job.failures:
                archive.writestr("未生成的文件.txt", "\n".join(f"{school}\t{reason}" for school, reason in job.failures))
        buffer.seek(0)
        name = f"{job.round.name}{notices.KINDS[job.kind]}.zip"
        job.zip = store_file(buffer.read(), name, ZIP, school_id=None, user_id=job.created_by_id)


jobs.register(DocumentJob, make)
