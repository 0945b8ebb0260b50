from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import audit, conflicts, excel
from ..clock import local, today
from ..extensions import db
from ..files import evidence
from ..files.uploads import UploadError
from ..htmx import is_htmx, is_partial, render, reswap, see_other
from ..idempotency import Outcome, made, new_key
from ..models import Answer, Inspection, Photo, utcnow
from ..queries import audit_trail
from ..rectification import queries as rectification
from ..security import (Action, authorize, can_act_on_findings, can_fill_inspection, can_fill_section, can_lead_inspection,
                        can_read_inspection, load_by, team_member)
from ..selfcheck import compare
from ..teams import roster
from . import autosave, export, lessons, queries, scoring, sheet, submission, workflow
from .forms import AnswerForm, InspectionFilterForm, PhotoForm, ReviewForm, StartForm

bp = Blueprint("supervision", __name__, url_prefix="/inspections")


@bp.context_processor
def page_helpers() -> dict:
    return dict(choices=scoring.choices)  # an item's answers on the filling page


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


def own_item(inspection_id: int, item_id: int) -> tuple[Inspection, sheet.ItemInfo]:
    """An item of an open inspection (editable) that is the current user's to fill: in a 督导组, one of
    their own sections (security.can_fill_section), or 403; one the checklist marks N/A for the school's
    kind takes no answer (scoring would ignore it), 409 as a closed record, so the tablet holds it."""
    inspection = editable(inspection_id)
    item = item_of(inspection, item_id)
    if not can_fill_section(inspection, sheet.section_of(inspection.version, item.id)):
        abort(403, description="这一部分由督导组的其他成员填写，您不能修改。")
    kind = inspection.school.kind
    if scoring.not_applicable(item, kind.name):
        abort(409, description=f"该项对本校不适用（本校为{kind.value}），不作答、不计分，未保存。")
    return inspection, item


def filling(inspection: Inspection, built: sheet.Sheet, **context) -> dict:
    """The filling page's context: the sheet, its findings and its 督导组 (whose part each section is,
    which are the current user's to change, whether they submit)."""
    return dict(inspection=inspection, sheet=built, findings=made_of_findings(inspection),
                team=roster.roster(inspection, built), locked=roster.locked(inspection, built),
                leads=can_lead_inspection(inspection), me=team_member(inspection), beside=compare.beside(inspection),
                lessons=lessons.beside(inspection, built), **context)


def made_of_findings(inspection: Inspection) -> dict:
    """The rectification items already made from its not-met items, for their 生成整改事项 slots."""
    return rectification.for_finding(inspection) if can_act_on_findings(inspection) else {}


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
                  scores=sheet.totals(page.items), teams=roster.team_names(page.items))


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
            roster.set_team(inspection, current_user.id, form.members.data or [])
            db.session.add(inspection)
            db.session.commit()
        return see_other(url_for("supervision.fill", inspection_id=inspection.id))
    return render("supervision/start.html", "form", form=form, status=422 if form.errors else 200)


@bp.get("/<int:inspection_id>/fill")
def fill(inspection_id: int):
    inspection = load_by(can_fill_inspection, Inspection, inspection_id)
    if not inspection.editable:
        return see_other(url_for("supervision.detail", inspection_id=inspection.id))
    return render("supervision/fill.html", **filling(inspection, sheet.build(inspection)))


@bp.post("/<int:inspection_id>/items/<int:item_id>")
def answer(inspection_id: int, item_id: int):
    """Autosave of one item: its state, its section's subtotal and the overall score come back."""
    inspection, item = own_item(inspection_id, item_id)
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
        return render("supervision/fill.html", **filling(inspection, sheet.build(inspection)),
                      problems={item.id: error or outcome}, status=status)
    if outcome == "conflict":
        built = sheet.build(inspection)
        sides = conflicts.differences(autosave.labels(item), autosave.content(answer), mine)
        response = render("supervision/fill.html", "item", inspection=inspection, sheet=built,
                          findings=made_of_findings(inspection), row=built.row(item.id), problems={item.id: outcome},
                          conflict=(sides, mine), status=status, beside=compare.beside(inspection, item.id),
                          lessons=lessons.beside(inspection, built))
        return reswap(response, "outerHTML", f"#item-{item.id}")
    reply = autosave.reply(inspection, item, answer, before)
    return render("supervision/fill.html", "item_saved", inspection=inspection, sheet=reply.sheet, part=reply.part,
                  row=reply.row, outcome=outcome, error=error, turned=reply.turned, status=status,
                  findings=made_of_findings(inspection) if reply.turned else {},  # the slot is sent only when it turned
                  beside=compare.beside(inspection, item.id))  # the school's self-check mark follows the answer


@bp.post("/<int:inspection_id>/items/<int:item_id>/photos")
def add_photo(inspection_id: int, item_id: int):
    inspection, item = own_item(inspection_id, item_id)
    form = PhotoForm()
    error = None if form.validate() else next(iter(form.errors.values()))[0]
    if error is None:
        try:
            evidence.add(lambda: autosave.find_or_new(inspection, item, current_user.id), Answer.photos,
                         form.photo.data, key=form.key.data, school_id=inspection.school_id, user_id=current_user.id,
                         photos_only=True, location=form.location)
        except UploadError as problem:
            error = str(problem)
    return _photos(inspection, item, error)


@bp.post("/<int:inspection_id>/photos/<int:photo_id>/delete")
def delete_photo(inspection_id: int, photo_id: int):
    inspection = editable(inspection_id)
    photo = load_by(lambda found: found.answer.inspection_id == inspection.id
                    and can_fill_section(inspection, found.answer.item.section_id), Photo, photo_id)
    item = photo.answer.item
    evidence.remove(photo.answer.photos, photo)
    return _photos(inspection, item, None)


def _photos(inspection, item, error):
    if not is_htmx():
        if error:
            flash(error, "error")
        return see_other(url_for("supervision.fill", inspection_id=inspection.id, _anchor=f"item-{item.id}"))
    built = sheet.build(inspection)
    return render("supervision/fill.html", "photos", inspection=inspection, sheet=built,
                  findings=made_of_findings(inspection), row=built.row(item.id), photo_error=error, photo_saved=not error,
                  status=422 if error else 200)


@bp.post("/<int:inspection_id>/submit")
def submit(inspection_id: int):
    inspection = stepped(inspection_id, workflow.Step.SUBMIT, WITH_VERSION)
    built = sheet.build(inspection)
    blocking = submission.blockers(built)
    if blocking:
        return render("supervision/fill.html", "blockers", **filling(inspection, built), blocking=blocking, status=422)
    workflow.submit(inspection, built)
    db.session.commit()
    flash("检查已提交，等待督导室审核。", "success")
    return see_other(url_for("supervision.detail", inspection_id=inspection.id))


def stepped(inspection_id: int, step: workflow.Step, *options) -> Inspection:
    """An inspection the current user may take `step` on now: 404, 403 (the step's policy) or 409 (its state)."""
    inspection = load_by(workflow.TRANSITIONS[step].may, Inspection, inspection_id, *options)
    try:
        workflow.check(inspection, step)
    except workflow.Refused as refused:
        abort(409, description=str(refused))
    return inspection


@bp.get("/<int:inspection_id>")
def detail(inspection_id: int):
    return _detail(load_inspection(inspection_id), ReviewForm())


def _detail(inspection: Inspection, form: ReviewForm, status: int = 200):
    history = audit.history(db.session.scalars(audit_trail(inspection)))
    built = sheet.build(inspection)
    return render("supervision/detail.html", "review", inspection=inspection, sheet=built,
                  findings=made_of_findings(inspection), form=form, history=history,
                  team=roster.roster(inspection, built), leads=can_lead_inspection(inspection), status=status,
                  lessons=lessons.beside(inspection, built))


@bp.post("/<int:inspection_id>/review")
def review(inspection_id: int):
    form = ReviewForm()
    approve = form.decision.data == "approve"
    inspection = stepped(inspection_id, workflow.Step.APPROVE if approve else workflow.Step.RETURN)
    if not form.validate_on_submit():
        return _detail(inspection, form, 422)
    workflow.review(inspection, approve, form.comment.data or "", current_user.id)
    db.session.commit()
    flash("已审核通过。" if approve else "已退回督学修改。", "success")
    return see_other(url_for("supervision.detail", inspection_id=inspection.id))


@bp.get("/<int:inspection_id>/print")
def printable(inspection_id: int):
    inspection = load_inspection(inspection_id)
    return render("supervision/print.html", inspection=inspection, sheet=sheet.build(inspection), now=utcnow())
