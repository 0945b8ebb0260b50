"""A round's per-school notices as one background job: a PDF per school into a zip, the progress
and every failed document recorded in the job's row (models.DocumentJob), so any process can show
them and nothing is skipped silently.

Who runs a job (setting DOCUMENT_JOBS):
- "executor" (default): a one-thread pool owned by the app (app.extensions["document_jobs"]); no
  extra server; the request that starts a job returns at once and the page polls the row.
- "worker": the job stays queued in the database for `flask documents work`, a separate process
  (several app processes behind gunicorn then share one worker; claiming a job is an atomic UPDATE).
- "rq": the job goes on a Redis queue (RQ; REDIS_URL, DOCUMENT_QUEUE) and `flask documents work`
  runs an RQ worker in the app. A queue that cannot be reached fails the job on its page at once.

A job whose process stopped mid-way (a restart, a crash) stops moving: its row's updated_at, touched
with every school done, falls behind. After DOCUMENT_JOB_STALE_SECONDS it shows as 已中断 with a
重新生成 button, and `flask documents work` takes such jobs up again by itself.
"""
import logging
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from flask import current_app, has_app_context
from sqlalchemy import and_, select, update
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..files.uploads import store as store_file
from ..models import DocumentJob, Inspection, InspectionStatus, JobStatus, School, utcnow
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


def submit(app, job_id: int) -> None:
    """Hand a committed job to whoever runs jobs here (see the module's docstring)."""
    mode = app.config["DOCUMENT_JOBS"]
    if mode == "rq":
        try:
            queue(app).enqueue(run_queued, job_id, job_timeout=3600, result_ttl=0)
        except Exception as error:  # noqa: BLE001 - Redis down or refused: the job's page says so
            log.exception("document job %s not queued", job_id)
            fail(job_id, f"任务未能进入队列（{type(error).__name__}: {error}）"[:200])
    elif mode == "executor":
        pool = app.extensions.get("document_jobs")
        if pool is None:
            pool = app.extensions["document_jobs"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="documents")
        pool.submit(run_in, app, job_id)


def queue(app):
    """The Redis queue of DOCUMENT_JOBS=rq."""
    from redis import Redis
    from rq import Queue

    return Queue(app.config["DOCUMENT_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


def run_queued(job_id: int) -> None:
    """What the RQ worker runs: inside `flask documents work`, the app's context is already there."""
    if has_app_context():
        run(job_id)
        return
    from .. import create_app

    run_in(create_app(), job_id)


def run_in(app, job_id: int) -> None:
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()


def claim(job_id: int) -> bool:
    """QUEUED → RUNNING, once: two workers never run the same job."""
    claimed = db.session.execute(update(DocumentJob).where(DocumentJob.id == job_id, DocumentJob.status == JobStatus.QUEUED)
                                 .values(status=JobStatus.RUNNING, started_at=utcnow())).rowcount
    db.session.commit()
    return claimed == 1


def prepared(inspections: list[Inspection], kind: str, today: date):
    """(inspection, its notice's HTML, the files it shows) one after the other, or (inspection,
    the error, None) when the notice cannot be prepared."""
    for inspection in inspections:
        try:
            notice = notices.inspection_notice(inspection, kind, today)
            yield inspection, notice.html(), notice.files
        except Exception as error:  # noqa: BLE001 - one school's document; the batch goes on
            db.session.rollback()
            log.exception("notice for inspection %s failed", inspection.id)
            yield inspection, error, None


def run(job_id: int, today: date | None = None) -> DocumentJob:
    """Make every school's notice, committing the progress after each one. The PDFs are made on
    every core (portal/pdf/pool.py) while this process prepares the next schools' and zips them."""
    if not claim(job_id):  # running elsewhere, or done
        return db.session.get(DocumentJob, job_id)
    job = db.session.get(DocumentJob, job_id)
    today = today or clock.today()
    try:
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
        job.status, job.finished_at = JobStatus.DONE, utcnow()
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - the job itself failed: say so on its page
        db.session.rollback()
        log.exception("document job %s failed", job_id)
        job = fail(job_id, f"{type(error).__name__}: {error}"[:200])
    return job


def fail(job_id: int, reason: str) -> DocumentJob:
    job = db.session.get(DocumentJob, job_id)
    job.status, job.finished_at = JobStatus.FAILED, utcnow()
    job.failures = [*job.failures, ["（整批）", reason]]
    db.session.commit()
    return job


# Jobs that stopped mid-way

def _stalled():
    cutoff = utcnow() - timedelta(seconds=current_app.config["DOCUMENT_JOB_STALE_SECONDS"])
    return and_(DocumentJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)), DocumentJob.updated_at < cutoff)


def stalled(job: DocumentJob) -> bool:
    """Queued or running, and nothing has moved for DOCUMENT_JOB_STALE_SECONDS."""
    return job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and job.updated_at < utcnow() - timedelta(
        seconds=current_app.config["DOCUMENT_JOB_STALE_SECONDS"])


def requeue(job_id: int) -> bool:
    """A stalled job back in the queue, to be made again from the first school; once, however many
    ask at the same moment (an atomic UPDATE)."""
    requeued = db.session.execute(update(DocumentJob).where(DocumentJob.id == job_id, _stalled()).values(
        status=JobStatus.QUEUED, done=0, failures=[], started_at=None, updated_at=utcnow())).rowcount
    db.session.commit()
    return requeued == 1


def next_queued() -> int | None:
    """The worker's next job: the oldest queued one, after taking back those a stopped worker left running."""
    for job_id in db.session.scalars(select(DocumentJob.id).where(_stalled(), DocumentJob.status == JobStatus.RUNNING)).all():
        if requeue(job_id):
            log.warning("document job %s had stalled; running it again", job_id)
    return db.session.scalar(select(DocumentJob.id).where(DocumentJob.status == JobStatus.QUEUED)
                             .order_by(DocumentJob.id).limit(1))
