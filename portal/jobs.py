"""Background jobs: one way to enqueue a job and follow it, whichever backend runs it (setting JOBS).

A job is a row that any process can read: the page following it polls the row, never the process
running it. A kind of job is a model holding that state (models.JobStatus `status`, `total` and
`done`, `failures` as [[what, reason], ...], `started_at`, `finished_at`, and an `updated_at` that
every commit touches) and a function doing the work of one claimed row, committing its progress as it
goes. `register(model, work)` makes it a kind of job; the module that does so is imported with its
blueprint by create_app (portal/documents/batch.py: a round's 公文 notices).

Backends:
- "worker" (default, no extra service): the rows are the queue. `flask jobs work`, a process of its
  own (`make run` starts it beside gunicorn), takes the oldest queued row; claiming one is an atomic
  UPDATE, so any number of app processes and workers share the queue.
- "rq": the job also goes on a Redis queue (RQ; REDIS_URL, JOB_QUEUE), for a deployment whose workers
  run on other machines; `flask jobs work` then serves that queue. A queue that cannot be reached fails
  the job on its page at once.

A job whose worker stopped mid-way (a restart, a crash) stops moving: its updated_at falls behind.
After JOB_STALE_SECONDS it shows as stalled, its page offers to run it again, and the database worker
takes such jobs back by itself.
"""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, select, update

from .extensions import db
from .models import JobStatus, utcnow

log = logging.getLogger(__name__)
TIMEOUT = 3600  # seconds RQ lets one job run: a county's notices take minutes


@dataclass(frozen=True)
class Kind:
    model: type
    work: Callable[[object], None]


KINDS: dict[str, Kind] = {}


def register(model: type, work: Callable[[object], None]) -> None:
    KINDS[model.__tablename__] = Kind(model, work)


def enqueue(job) -> None:
    """Hand a committed job to the backend."""
    if current_app.config["JOBS"] != "rq":
        return  # the row is the queue
    try:
        queue().enqueue(perform, job.__tablename__, job.id, job_timeout=TIMEOUT, result_ttl=0)
    except Exception as error:  # noqa: BLE001 - Redis down or refused: the job's page says so
        log.exception("job %s %s not queued", job.__tablename__, job.id)
        fail(job, f"任务未能进入队列（{type(error).__name__}: {error}）"[:200])


def queue():
    """The Redis queue of JOBS=rq."""
    from redis import Redis
    from rq import Queue

    return Queue(current_app.config["JOB_QUEUE"], connection=Redis.from_url(current_app.config["REDIS_URL"]))


def perform(kind: str, job_id: int) -> None:
    """What the RQ worker runs, inside `flask jobs work` (the app's context is there)."""
    run(KINDS[kind].model, job_id)


def claim(model: type, job_id: int) -> bool:
    """QUEUED → RUNNING, once: two workers never run the same job."""
    claimed = db.session.execute(update(model).where(model.id == job_id, model.status == JobStatus.QUEUED)
                                 .values(status=JobStatus.RUNNING, started_at=utcnow())).rowcount
    db.session.commit()
    return claimed == 1


def run(model: type, job_id: int):
    """Claim the job and do its work: done when the work returns, failed with the reason when it raises.
    A job running elsewhere or finished already is left as it is."""
    if not claim(model, job_id):
        return db.session.get(model, job_id)
    job = db.session.get(model, job_id)
    try:
        KINDS[model.__tablename__].work(job)
        job.status, job.finished_at = JobStatus.DONE, utcnow()
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - the job itself failed: say so on its page
        db.session.rollback()
        log.exception("job %s %s failed", model.__tablename__, job_id)
        fail(job, f"{type(error).__name__}: {error}"[:200])
    return job


def fail(job, reason: str) -> None:
    job.status, job.finished_at = JobStatus.FAILED, utcnow()
    job.failures = [*job.failures, ["（整批）", reason]]
    db.session.commit()


def work(once: bool, interval: float, report: Callable[[object], None]) -> None:
    """The worker: run queued jobs as they come (`once`: those queued now, then stop), telling `report`
    of each one finished."""
    if current_app.config["JOBS"] == "rq":
        from rq import SimpleWorker  # jobs run here, in this app's context (no fork per job)

        source = queue()
        SimpleWorker([source], connection=source.connection).work(burst=once, with_scheduler=False)
        return
    while True:
        queued = next_queued()
        if queued is not None:
            report(run(*queued))
            continue
        db.session.rollback()  # end the poll's transaction: on SQLite it holds the write lock (extensions.py)
        if once:
            return
        time.sleep(interval)


# Jobs that stopped mid-way

def _stale() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])


def _stalled(model: type):
    return and_(model.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)), model.updated_at < utcnow() - _stale())


def stalled(job) -> bool:
    """Queued or running, and nothing has moved for JOB_STALE_SECONDS."""
    return job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and job.updated_at < utcnow() - _stale()


def requeue(job) -> bool:
    """A stalled job back in the queue, to be done again from the start; once, however many ask at the
    same moment (an atomic UPDATE)."""
    model = type(job)
    requeued = db.session.execute(update(model).where(model.id == job.id, _stalled(model)).values(
        status=JobStatus.QUEUED, done=0, failures=[], started_at=None, updated_at=utcnow())).rowcount
    db.session.commit()
    return requeued == 1


def next_queued() -> tuple[type, int] | None:
    """The database worker's next job, (its model, its id): the oldest queued one of the first kind that
    has one, after taking back the jobs a stopped worker left running."""
    for kind in KINDS.values():
        model = kind.model
        for job in db.session.scalars(select(model).where(_stalled(model), model.status == JobStatus.RUNNING)).all():
            if requeue(job):
                log.warning("job %s %s had stalled; running it again", model.__tablename__, job.id)
        job_id = db.session.scalar(select(model.id).where(model.status == JobStatus.QUEUED).order_by(model.id).limit(1))
        if job_id is not None:
            return model, job_id
    return None
