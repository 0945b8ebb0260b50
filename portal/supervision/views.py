from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import conflicts, excel
from ..clock import local, today
from ..extensions import db
from ..files.uploads import UploadError
from ..htmx import is_htmx, is_partial, render, reswap, see_other
from ..idempotency import Outcome, among, made, new_key
from ..models import Answer, Inspection, InspectionStatus, Photo, utcnow
from ..queries import audit_trail
from ..security import Action, authorize, can_fill_inspection, can_read_inspection, load, load_by
from ..storage import storage
from . import autosave, evidence, export, photos, queries, scoring, sheet
from .forms import AnswerForm, InspectionFilterForm, PhotoForm, ReviewForm, StartForm

bp = Blueprint("supervision", __name__, url_prefix="/inspections")
bp.add_app_template_global(scoring.choices, "choices")


def load_inspection(inspection_id: int) -> Inspection:
    """An inspection as its reader may see it (security.can_read_inspection: the inspectors' work until
    approved, then its school's)."""
    return load_by(can_read_inspection, Inspection, inspection_id)


WITH_VERSION = joinedload(Inspection.version)


def editable(inspection_id: int) -> Inspection:
    """An inspection the current user fills in (security.can_fill_inspection), still open for changes."""
    inspection = load_by(can_fill_inspection, Inspection, inspection_id, WITH_VERSION)
    if not inspection.editable:
        abort(409, description=f"这次检查{inspection.status.value}，不能再修改。")
    return inspection


def item_of(inspection: Inspection, item_id: int) -> sheet.ItemInfo:
    """One of the inspection's own items (its version's), or 404."""
    item = sheet.find_item(inspection.version, item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/")
def index():
    authorize(Action.VIEW)
    filters = InspectionFilterForm(request.args)
    filters.validate()
    page = db.paginate(queries.from_form(filters), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("supervision/index.html", "results", filters=filters, page=page,
                  scores=sheet.totals(page.items))


@bp.get("/export.xlsx")
def export_answers():
    authorize(Action.VIEW)
    filters = InspectionFilterForm(request.args)
    filters.validate()
    return excel.download(export.workbook(queries.from_form(filters)), f"督导检查明细-{local(utcnow(), '%Y-%m-%d')}.xlsx")


@bp.route("/new", methods=["GET", "POST"])
def start():
    authorize(Action.INSPECT)
    form = StartForm(current_user, data={"visit_date": today(), "key": new_key(),
                                         "school": request.args.get("school", type=int)})
    if form.validate_on_submit():
        authorize(Action.INSPECT, form.school.data)
        inspection = made(Inspection, form.key.data, Inspection.inspector_id == current_user.id)
        if inspection is None:  # a second tap on 开始检查 finds the first one's inspection
            inspection = Inspection(school_id=form.school.data, version_id=form.version.data,
                                    visit_date=form.visit_date.data, inspector_id=current_user.id,
                                    client_key=form.key.data)
            db.session.add(inspection)
            db.session.commit()
        return see_other(url_for("supervision.fill", inspection_id=inspection.id))
    return render("supervision/start.html", "form", form=form, status=422 if form.errors else 200)


@bp.get("/<int:inspection_id>/fill")
def fill(inspection_id: int):
    inspection = load_by(can_fill_inspection, Inspection, inspection_id)
    if not inspection.editable:
        return see_other(url_for("supervision.detail", inspection_id=inspection.id))
    return render("supervision/fill.html", inspection=inspection, sheet=sheet.build(inspection))


@bp.post("/<int:inspection_id>/items/<int:item_id>")
def answer(inspection_id: int, item_id: int):
    """Autosave of one item: its state, its section's subtotal and the overall score come back."""
    inspection = editable(inspection_id)
    item = item_of(inspection, item_id)
    form = AnswerForm(item)
    if not form.validate():
        stored = autosave.find(inspection, item)
        return _answered(inspection, item, stored, "invalid", error=form.first_error, status=422)
    change = autosave.Change(form.value.data, form.na.data, form.note.data or "", form.revision.data, form.key.data)
    outcome, answer, before = autosave.save(inspection, item, change, current_user.id)
    if outcome is Outcome.CONFLICT:
        mine = autosave.content(change)
        conflicts.record(inspection, f"item:{item.id}", autosave.content(answer), mine, change.key)
        db.session.commit()
        return _answered(inspection, item, answer, "conflict", status=409, mine=mine)
    response = _answered(inspection, item, answer, outcome.value, before=before)  # read before the commit expires it
    db.session.commit()
    return response


def _answered(inspection: Inspection, item, answer, outcome: str, error: str | None = None, status: int = 200,
              before: scoring.Answer | None = None, mine: dict | None = None):
    """htmx: the item's state (or, on a conflict, the whole item as it now is) with the subtotals
    out of band, and its 生成整改事项 slot when the save made it not met or met again (`before`: the
    answer before the save). The no-JavaScript form: back to the item, or the page with the problem
    shown. `answer`: the item's stored answer (None: none yet); `mine`: a refused save's content, shown
    beside it."""
    if not is_partial():
        if status == 200:
            return see_other(url_for("supervision.fill", inspection_id=inspection.id, _anchor=f"item-{item.id}"))
        return render("supervision/fill.html", inspection=inspection, sheet=sheet.build(inspection),
                      problems={item.id: error or outcome}, status=status)
    if outcome == "conflict":
        built = sheet.build(inspection)
        sides = conflicts.differences(autosave.labels(item), autosave.content(answer), mine)
        response = render("supervision/fill.html", "item", inspection=inspection, sheet=built,
                          row=built.row(item.id), problems={item.id: outcome}, conflict=(sides, mine), status=status)
        return reswap(response, "outerHTML", f"#item-{item.id}")
    built = sheet.saved(inspection, item.id, answer)
    row = built.row(item.id)
    turned = before is not None and scoring.is_not_met(item, before) != row.not_met
    return render("supervision/fill.html", "item_saved", inspection=inspection, sheet=built, part=built.part_of(item.id),
                  row=row, outcome=outcome, error=error, turned=turned, status=status)


@bp.post("/<int:inspection_id>/items/<int:item_id>/photos")
def add_photo(inspection_id: int, item_id: int):
    inspection = editable(inspection_id)
    item = item_of(inspection, item_id)
    form = PhotoForm()
    error = None
    if form.validate():
        upload = form.photo.data
        try:
            photo = photos.new_photo(upload.read(photos.MAX_BYTES + 1), upload.filename or "照片",
                                     school_id=inspection.school_id, user_id=current_user.id, key=form.key.data,
                                     location=form.location)
        except UploadError as problem:
            error = str(problem)
        else:
            answer = autosave.find(inspection, item)
            if answer is None:
                answer = Answer(inspection=inspection, item_id=item.id, updated_by_id=current_user.id)
                db.session.add(answer)
            if among(answer.photos, form.key.data) is None:  # an upload sent twice counts once
                answer.photos.append(photo)
                db.session.commit()
            else:
                _discard(photo)
    else:
        error = next(iter(form.errors.values()))[0]
    return _photos(inspection, item, error)


@bp.post("/<int:inspection_id>/photos/<int:photo_id>/delete")
def delete_photo(inspection_id: int, photo_id: int):
    inspection = editable(inspection_id)
    photo = load_by(lambda found: found.answer.inspection_id == inspection.id, Photo, photo_id)
    item = photo.answer.item
    keys = [photo.attachment.storage_key, photo.thumbnail.storage_key]
    attachments = [photo.attachment, photo.thumbnail]
    db.session.delete(photo)
    for attachment in attachments:
        db.session.delete(attachment)
    db.session.commit()
    for key in keys:  # the bytes go once the rows are gone for good
        storage().delete(key)
    return _photos(inspection, item, None)


def _discard(photo: Photo) -> None:
    for attachment in (photo.attachment, photo.thumbnail):
        storage().delete(attachment.storage_key)


def _photos(inspection, item, error):
    if not is_htmx():
        if error:
            flash(error, "error")
        return see_other(url_for("supervision.fill", inspection_id=inspection.id, _anchor=f"item-{item.id}"))
    built = sheet.build(inspection)
    return render("supervision/fill.html", "photos", inspection=inspection, sheet=built,
                  row=built.row(item.id), photo_error=error, photo_saved=not error, status=422 if error else 200)


@bp.post("/<int:inspection_id>/submit")
def submit(inspection_id: int):
    inspection = editable(inspection_id)
    built = sheet.build(inspection)
    blocking = evidence.blockers(built)
    if blocking:
        return render("supervision/fill.html", "blockers", inspection=inspection, sheet=built,
                      blocking=blocking, status=422)
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = utcnow()
    sheet.record_result(inspection, built)
    db.session.commit()
    flash("检查已提交，等待督导室审核。", "success")
    return see_other(url_for("supervision.detail", inspection_id=inspection.id))


@bp.get("/<int:inspection_id>")
def detail(inspection_id: int):
    return _detail(load_inspection(inspection_id), ReviewForm())


def _detail(inspection: Inspection, form: ReviewForm, status: int = 200):
    history = db.session.scalars(audit_trail(inspection)).all()
    return render("supervision/detail.html", "review", inspection=inspection, sheet=sheet.build(inspection),
                  form=form, history=history, status=status)


@bp.post("/<int:inspection_id>/review")
def review(inspection_id: int):
    inspection = load(Inspection, inspection_id, Action.MANAGE)
    if inspection.status is not InspectionStatus.SUBMITTED:
        abort(409, description=f"这次检查{inspection.status.value}，不在待审核状态。")
    form = ReviewForm()
    if not form.validate_on_submit():
        return _detail(inspection, form, 422)
    approve = form.decision.data == "approve"
    inspection.status = InspectionStatus.APPROVED if approve else InspectionStatus.RETURNED
    inspection.review_comment = form.comment.data or ""
    inspection.reviewed_at, inspection.reviewed_by_id = utcnow(), current_user.id
    db.session.commit()
    flash("已审核通过。" if approve else "已退回督学修改。", "success")
    return see_other(url_for("supervision.detail", inspection_id=inspection.id))


@bp.get("/<int:inspection_id>/print")
def printable(inspection_id: int):
    inspection = load_inspection(inspection_id)
    return render("supervision/print.html", inspection=inspection, sheet=sheet.build(inspection), now=utcnow())
