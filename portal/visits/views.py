"""挂牌督导: the 责任督学 records each visit to a school on the tablet (with photos, and the
rectification item they raised); the school's people read their own school's visits; the office sees
who is due a visit, keeps the inspectors' portraits and prints every school's sign."""
from flask import Blueprint, abort, current_app, flash, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit, clock, jobs
from ..documents.forms import KeyForm
from ..documents.pdfs import send
from ..extensions import db
from ..files import evidence
from ..files.uploads import UploadError
from ..htmx import is_htmx, render, see_other
from ..idempotency import committed, made, new_key
from ..models import Portrait, Role, School, SignJob, User, Visit
from ..queries import audit_trail
from ..rectification.forms import FileForm
from ..security import (Action, allowed, authorize, can_change_portrait, can_read_visit, can_record_visit, load, load_by)
from ..storage import storage
from . import batch, portraits, queries, schedule, sign
from .duties import DUTIES, labels
from .forms import PortraitForm, TargetForm, VisitForm

bp = Blueprint("visits", __name__, url_prefix="/visits")
bp.add_app_template_global(labels, "duty_labels")


def to_detail(visit: Visit, anchor: str | None = None):
    return see_other(url_for("visits.detail", visit_id=visit.id, _anchor=anchor))


@bp.get("/")
def index():
    """走访记录: the visits the user may read; with ?school= one school's, and its standing."""
    authorize(Action.VIEW)
    school = request.args.get("school", type=int)
    if school:
        school = load(School, school)
    page = db.paginate(queries.listing(school.id if school else None), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    standing = schedule.standings([school], clock.today())[0] if school else None
    return render("visits/index.html", "results", page=page, school=school, standing=standing, target=schedule.target(),
                  can_record=allowed(current_user, Action.INSPECT, school.id if school else None))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """A visit to a school in the inspector's 责任区 (the office records one for a school's 责任督学)."""
    authorize(Action.INSPECT)
    today = clock.today()
    form = VisitForm(current_user, today, data=dict(key=new_key(), school=request.args.get("school", type=int),
                                                    visited_on=today))
    if form.validate_on_submit():
        authorize(Action.INSPECT, form.school.data)
        visit = made(Visit, form.key.data)
        if visit is None:  # a second tap on 保存 finds the first one's visit
            inspector = form.inspector.data if "inspector" in form else current_user.id
            visit = Visit(school_id=form.school.data, inspector_id=inspector, created_by_id=current_user.id,
                          client_key=form.key.data)
            form.copy_to(visit)
            db.session.add(visit)
            if committed():
                flash("走访记录已保存，可以继续添加照片。", "success")
            else:
                visit = made(Visit, form.key.data)
        return to_detail(visit)
    return render("visits/form.html", "form", form=form, visit=None, status=422 if form.errors else 200)


@bp.get("/<int:visit_id>")
def detail(visit_id: int):
    return _detail(load_by(can_read_visit, Visit, visit_id, *queries.load_options()))


def _detail(visit: Visit, block: str | None = None, status: int = 200, photo_error: str | None = None):
    history = audit.history(db.session.scalars(audit_trail(visit)))
    return render("visits/detail.html", block, visit=visit, history=history, photo_error=photo_error,
                  recording=can_record_visit(visit), status=status)


@bp.route("/<int:visit_id>/edit", methods=["GET", "POST"])
def edit(visit_id: int):
    visit = load_by(can_record_visit, Visit, visit_id)
    form = VisitForm(current_user, clock.today(), school_id=visit.school_id, current=visit.rectification_id, data=dict(
        key=new_key(), visited_on=visit.visited_on, checked=visit.checked, findings=visit.findings,
        suggestions=visit.suggestions, rectification=visit.rectification_id))
    if form.validate_on_submit():
        if form.copy_to(visit):
            db.session.commit()
            flash("走访记录已保存。", "success")
        return to_detail(visit)
    return render("visits/form.html", "form", form=form, visit=visit, status=422 if form.errors else 200)


@bp.post("/<int:visit_id>/photos")
def add_photo(visit_id: int):
    """One photo of the visit, uploaded as soon as it is picked (weak Wi-Fi: one at a time)."""
    visit = load_by(can_record_visit, Visit, visit_id)
    return _photos(visit, evidence.add_from(FileForm(), visit, Visit.photos, current_user.id))


@bp.post("/<int:visit_id>/photos/<int:file_id>/delete")
def delete_photo(visit_id: int, file_id: int):
    visit = load_by(can_record_visit, Visit, visit_id)
    found = next((p for p in visit.photos if p.id == file_id), None) or abort(404)
    evidence.remove(visit.photos, found)
    return _photos(visit, None)


def _photos(visit: Visit, error: str | None):
    if not is_htmx():
        if error:
            flash(error, "error")
        return to_detail(visit, "files")
    return _detail(visit, "files", 422 if error else 200, photo_error=error)


# The signs (公示牌) and the inspectors' portraits on them.

@bp.get("/signs/<int:school_id>.pdf")
def sign_pdf(school_id: int):
    """A school's sign: whoever sees the school (the school prints its own)."""
    school = load(School, school_id)
    return send(sign.pdf(school), sign.filename(school))


@bp.get("/signs")
def signs():
    """The office's page: each inspector's portrait and schools, the batch of every school's signs, and
    how often each school is to be visited."""
    authorize(Action.MANAGE)
    return _signs()


def _signs(target_form: TargetForm | None = None, status: int = 200):
    """The page, or (a refused 走访频次 brought back with its error) only that form."""
    inspectors = db.session.scalars(select(User).where(User.role == Role.INSPECTOR, User.active)
                                    .options(selectinload(User.schools)).order_by(User.username)).all()
    kept = {p.user_id: p for p in db.session.scalars(select(Portrait))}
    last = db.session.scalar(select(SignJob).order_by(SignJob.id.desc()).limit(1))
    return render("visits/signs.html", "target" if target_form else None, status, inspectors=inspectors,
                  portraits=kept, last_job=last, batch_form=KeyForm(formdata=None, data={"key": new_key()}),
                  target_form=target_form or TargetForm(formdata=None, per_semester=schedule.target()))


@bp.post("/target")
def set_target():
    """走访频次: from the next page on, schools are due by the new figure (the change is audited)."""
    authorize(Action.MANAGE)
    form = TargetForm()
    if not form.validate_on_submit():
        return _signs(form, 422)
    schedule.set_target(form.per_semester.data)
    db.session.commit()
    flash(f"走访频次已保存：每所学校每学期 {form.per_semester.data} 次。", "success")
    return see_other(url_for("visits.signs"))


@bp.post("/signs/batch")
def batch_start():
    authorize(Action.MANAGE)
    form = KeyForm()
    if not form.validate():
        abort(400)
    job = made(SignJob, form.key.data)
    if job is None:
        job = batch.create(current_user.id, form.key.data or None)
        db.session.commit()
        jobs.enqueue(job)
    return see_other(url_for("visits.batch_job", job_id=job.id))


@bp.get("/signs/batch/<int:job_id>")
def batch_job(job_id: int):
    """The batch's progress; the page polls this block until it has finished."""
    job = load(SignJob, job_id, Action.MANAGE)
    return render("visits/batch.html", "progress", job=job, stalled=jobs.stalled(job))


@bp.get("/signs/batch/<int:job_id>.pdf")
def batch_pdf(job_id: int):
    job = load(SignJob, job_id, Action.MANAGE)
    if job.pdf is None:
        abort(404)
    return send_file(storage().path(job.pdf.storage_key), mimetype=batch.PDF, as_attachment=True,
                     download_name=job.pdf.filename, max_age=0)


@bp.route("/portraits/<int:user_id>", methods=["GET", "POST"])
def portrait(user_id: int):
    """An inspector's portrait for the signs: they upload their own, or the office does."""
    user = load_by(can_change_portrait, User, user_id)
    form = PortraitForm()
    if form.validate_on_submit():
        try:
            portraits.replace(user, form.file.data, form.key.data, current_user.id)
        except UploadError as problem:
            form.file.errors.append(str(problem))
        else:
            flash("照片已保存，公示牌将使用新照片。", "success")
            return see_other(url_for("visits.portrait", user_id=user.id))
    form.key.data = new_key()
    return render("visits/portrait.html", "form", form=form, user=user, portrait=db.session.get(Portrait, user.id),
                  status=422 if form.errors else 200, schools=sorted(user.schools, key=lambda s: s.code),
                  duties=list(DUTIES.values()))
