"""Per-school documents of one inspection (督导意见书, 整改通知书), one lesson (推门听课反馈单) or one
plan, read by whoever may read the record; and a round's batch of notices, made in the background."""
from flask import abort, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import clock, jobs
from ..htmx import render, see_other
from ..extensions import db
from ..idempotency import made
from ..models import DocumentJob, Inspection, Observation, Round
from ..plans.queries import load_plan
from ..security import Action, can_read_inspection, can_read_observation, load, load_by
from ..storage import storage
from . import batch, notices, pdfs
from .forms import BatchForm, KeyForm
from .views import bp

@bp.get("/inspection/<int:inspection_id>/<any(opinion, rectification):kind>.pdf")
def inspection_notice(inspection_id: int, kind: str):
    """督导意见书 / 整改通知书: read by whoever may read the inspection; a school's self-check has none."""
    inspection = load_by(can_read_inspection, Inspection, inspection_id)
    if inspection.is_self_check:
        abort(404)
    return pdfs.send(notices.inspection_notice(inspection, kind, clock.today()).render().pdf,
                     notices.filename(inspection, kind))


@bp.get("/observation/<int:observation_id>/feedback.pdf")
def observation_sheet(observation_id: int):
    """推门听课反馈单: whoever may read the record (finished, or the observer's own draft)."""
    observation = load_by(can_read_observation, Observation, observation_id)
    return pdfs.send(notices.observation_sheet(observation).render().pdf,
                     f"推门听课反馈单 {observation.observed_on} {observation.teacher_name}.pdf")


@bp.get("/plan/<int:plan_id>.pdf")
def plan_document(plan_id: int):
    """一校一规划 as a document: whoever may read the plan."""
    plan = load_plan(plan_id)
    return pdfs.send(notices.plan_document(plan, clock.today()).render().pdf, notices.plan_filename(plan))


@bp.post("/batch/<int:round_id>")
def batch_start(round_id: int):
    """A round's notices, one per approved school, made in the background."""
    round_ = load(Round, round_id, Action.MANAGE)
    form = BatchForm()
    if not form.validate():
        abort(400)
    existing = made(DocumentJob, form.key.data)
    if existing:
        return see_other(url_for("documents.batch_job", job_id=existing.id))
    job = batch.create(round_.id, form.kind.data, current_user.id, form.key.data or None)
    db.session.commit()
    jobs.enqueue(job)
    return see_other(url_for("documents.batch_job", job_id=job.id))


@bp.get("/batch/job/<int:job_id>")
def batch_job(job_id: int):
    """The job's progress; the page polls this block until the job has finished."""
    job = load(DocumentJob, job_id, Action.MANAGE, joinedload(DocumentJob.round))
    return render("documents/batch.html", "progress", job=job, kinds=notices.KINDS, stalled=jobs.stalled(job),
                  restart_form=KeyForm(formdata=None))


@bp.post("/batch/job/<int:job_id>/restart")
def batch_restart(job_id: int):
    """重新生成 a job that stopped mid-way, from the first school; a second tap finds it running."""
    job = load(DocumentJob, job_id, Action.MANAGE)
    if not KeyForm().validate():
        abort(400)
    if jobs.requeue(job):
        jobs.enqueue(job)
    return see_other(url_for("documents.batch_job", job_id=job.id))


@bp.get("/batch/job/<int:job_id>/zip")
def batch_zip(job_id: int):
    job = load(DocumentJob, job_id, Action.MANAGE)
    if job.zip is None:
        abort(404)
    return send_file(storage().path(job.zip.storage_key), mimetype=batch.ZIP, as_attachment=True,
                     download_name=job.zip.filename, max_age=0)
