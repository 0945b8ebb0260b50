"""Every active school's sign in one PDF (one page each), as a background job (portal/jobs.py runs
it): about 0.4 s of WeasyPrint a school, so a county of 270 is minutes of work on one core
(bench/signs.py), too long for a request. The signs are made in parts on every core
(portal/pdf/pool.py) and put together in order; a school whose sign fails is recorded in the job's row
and the others go on."""
import io
import logging

import pypdfium2
from flask import current_app
from sqlalchemy import func, select

from .. import jobs
from ..extensions import db
from ..files.uploads import store as store_file
from ..models import School, SignJob
from ..pdf import engine, pool
from . import sign

log = logging.getLogger(__name__)
PDF = "application/pdf"
NAME = "责任督学挂牌督导公示牌（全部学校）.pdf"
# Schools to one render: each render embeds its own subset of the CJK faces (about 0.4 MB), so one
# document per school would make a county's PDF a hundred megabytes; a few parts keep every core busy.
CHUNK = 30


def schools() -> list[School]:
    return db.session.scalars(select(School).where(School.active).order_by(School.education_group, School.code)).all()


def create(user_id: int, key: str | None) -> SignJob:
    job = SignJob(total=db.session.scalar(select(func.count()).select_from(School).where(School.active)),
                  created_by_id=user_id, client_key=key)
    db.session.add(job)
    return job


def chunks(found: list[School]):
    """(the schools, their signs' HTML, their portraits) CHUNK schools at a time, or (the schools, the error,
    None) when the signs cannot be prepared."""
    for at in range(0, len(found), CHUNK):
        part = found[at:at + CHUNK]
        try:
            signs = sign.prepared(part)
            db.session.commit()  # the read ends: the render holds no database lock (see documents/batch.py)
            yield part, signs.html, signs.files
        except Exception as error:  # noqa: BLE001 - these schools' signs; the batch goes on
            db.session.rollback()
            log.exception("signs of schools %s failed", [school.id for school in part])
            yield part, error, None


def one_by_one(part: list[School], job: SignJob) -> list[bytes]:
    """The signs of a part that failed as a whole, school by school: the one at fault is recorded, the
    others are made."""
    made = []
    for school in part:
        try:
            made.append(sign.pdf(school))
        except Exception as error:  # noqa: BLE001 - this school's sign; the batch goes on
            log.exception("sign of school %s failed", school.id)
            job.failures = [*job.failures, [school.name, f"{type(error).__name__}: {error}"[:200]]]
    return made


def combined(pdfs: list[bytes]) -> bytes:
    """The parts as one PDF, in order."""
    whole = pypdfium2.PdfDocument.new()
    try:
        for data in pdfs:
            part = pypdfium2.PdfDocument(data)
            whole.import_pages(part)
            part.close()
        out = io.BytesIO()
        whole.save(out)
        return out.getvalue()
    finally:
        whole.close()


def make(job: SignJob) -> None:
    """The signs CHUNK schools to a render, the renders on every core, committing the progress after each."""
    made = []
    for part, pdf in pool.pdfs(chunks(schools()), current_app.static_folder, engine.faces().folder):
        made += one_by_one(part, job) if isinstance(pdf, Exception) else [pdf]
        job.done += len(part)
        db.session.commit()
    if made:
        job.pdf = store_file(combined(made), NAME, PDF, school_id=None, user_id=job.created_by_id)


jobs.register(SignJob, make)
