from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import audit, clock
from .. import errors, excel
from ..extensions import db
from ..files import evidence
from ..htmx import is_htmx, render, see_other
from ..idempotency import committed, made, new_key
from ..models import Inspection, RectificationEvent, RectificationFile, RectificationItem, School, Step, User
from ..plans import queries as plans
from ..queries import audit_trail
from ..security import Action, authorize, can_act_on_findings, can_read_item, load_by
from ..supervision import autosave, sheet
from . import export, findings, overdue, queries, workflow
from .forms import FileForm, FilterForm, FindingForm, ItemForm, ReportForm, VerifyForm

bp = Blueprint("rectification", __name__, url_prefix="/rectification")
bp.add_app_template_global(overdue.days_overdue, "days_overdue")
bp.add_app_template_global(overdue.is_due_soon, "is_due_soon")


@bp.errorhandler(workflow.Refused)
def refused(problem: workflow.Refused):
    db.session.rollback()
    return errors.respond(409, str(problem))


def load_item(item_id: int, policy=can_read_item) -> RectificationItem:
    """An item the current user may read, or take a step on (`policy`: a step's Transition.may)."""
    return load_by(policy, RectificationItem, item_id,
                   selectinload(RectificationItem.files).selectinload(RectificationFile.attachment),
                   selectinload(RectificationItem.events).selectinload(RectificationEvent.actor))


def to_detail(item: RectificationItem, anchor: str | None = None):
    return see_other(url_for("rectification.detail", item_id=item.id, _anchor=anchor))


def listed():
    """The list's filters from the query string, today's date, and the query they make (list and export)."""
    authorize(Action.VIEW)
    filters = FilterForm(current_user, request.args)
    filters.validate()
    today = clock.today()
    return filters, today, queries.from_form(filters, today)


@bp.get("/")
def index():
    filters, today, stmt = listed()
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("rectification/index.html", "results", filters=filters, page=page, today=today,
                  counts=queries.counts(today), by_school=queries.grouped(today, School),
                  by_inspector=queries.grouped(today, User))


@bp.get("/export.xlsx")
def export_items():
    _, today, stmt = listed()
    return excel.download(export.workbook(stmt, today), f"整改事项-{today.isoformat()}.xlsx")


@bp.route("/new", methods=["GET", "POST"])
def create():
    """An item added freely for a school in the inspector's scope."""
    authorize(Action.INSPECT)
    today = clock.today()
    form = ItemForm(current_user, today, data=dict(key=new_key(), school=request.args.get("school", type=int),
                                                   inspector=current_user.id, due_date=overdue.default_due(today)))
    if form.validate_on_submit():
        authorize(Action.INSPECT, form.school.data)
        item = made(RectificationItem, form.key.data)
        if item is None:  # a second tap on 保存 finds the first one's item
            item = workflow.create(RectificationItem(school_id=form.school.data, client_key=form.key.data),
                                   actor_id=current_user.id)
            form.copy_to(item)
            if committed():
                flash("整改事项已添加。", "success")
            else:
                item = made(RectificationItem, form.key.data)
        return to_detail(item)
    return render("rectification/form.html", "form", form=form, item=None, status=422 if form.errors else 200)


@bp.post("/from-finding/<int:inspection_id>/<int:item_id>")
def from_finding(inspection_id: int, item_id: int):
    """「生成整改事项」 on a not-met item: one item per finding; a second tap opens the first."""
    inspection = load_by(can_act_on_findings, Inspection, inspection_id)
    checked = sheet.find_item(inspection.version, item_id) or abort(404)
    form = FindingForm()
    if not form.validate():
        abort(400)
    item = queries.for_finding(inspection).get(item_id)
    if item is None:
        answer = autosave.find(inspection, checked)
        if not findings.not_met(checked, answer):
            abort(409, description="此项未判为未达标，不能生成整改事项。")
        item = findings.prefilled(inspection, checked, answer, today=clock.today(), user_id=current_user.id)
        item.client_key = form.key.data or None
        workflow.create(item, actor_id=current_user.id)
        if committed():
            flash("已生成整改事项，内容可修改后再交学校整改。", "success")
        else:  # the other tap's item
            item = queries.for_finding(inspection)[item_id]
    return to_detail(item)


@bp.get("/<int:item_id>")
def detail(item_id: int):
    return _detail(load_item(item_id))


def _detail(item: RectificationItem, block: str | None = None, status: int = 200, **forms):
    forms.setdefault("report_form", ReportForm(formdata=None, data={"report": item.report, "key": new_key()}))
    forms.setdefault("verify_form", VerifyForm(formdata=None, data={"key": new_key()}))
    history = audit.history(db.session.scalars(audit_trail(item)))
    return render("rectification/detail.html", block, item=item, today=clock.today(), history=history,
                  plan_milestones=plans.milestones_of(item), steps={step.name for step in workflow.allowed_steps(item)},
                  status=status, **forms)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int):
    item = load_item(item_id, workflow.TRANSITIONS[Step.EDIT].may)
    workflow.check(item, Step.EDIT)
    form = ItemForm(current_user, clock.today(), with_school=False, data=dict(
        key=new_key(), problem=item.problem, requirement=item.requirement, due_date=item.due_date,
        priority=item.priority, inspector=item.inspector_id))
    if form.validate_on_submit():
        changed = form.copy_to(item)
        if changed:
            workflow.apply(item, Step.EDIT, actor_id=current_user.id, comment=f"修改了{'、'.join(changed)}")
            db.session.commit()
            flash("整改事项已保存。", "success")
        return to_detail(item)
    return render("rectification/form.html", "form", form=form, item=item, status=422 if form.errors else 200)


@bp.post("/<int:item_id>/report")
def report(item_id: int):
    """The school submits (or, after a return, resubmits) its report."""
    item = load_item(item_id, workflow.TRANSITIONS[Step.SUBMIT].may)
    form = ReportForm()
    if made(RectificationEvent, form.key.data) is None:
        workflow.check(item, Step.SUBMIT)
        if not form.validate_on_submit():
            return _detail(item, "report", 422, report_form=form)
        workflow.apply(item, Step.SUBMIT, actor_id=current_user.id, comment=form.report.data, key=form.key.data)
        if committed():
            flash("整改报告已提交，等待督学验收。", "success")
    return to_detail(item)


@bp.post("/<int:item_id>/verify")
def verify(item_id: int):
    """The inspector's verdict on a submitted report: closed (销号) or returned with a reason."""
    item = load_item(item_id, workflow.TRANSITIONS[Step.CLOSE].may)  # both verdicts: the named verifier
    form = VerifyForm()
    if made(RectificationEvent, form.key.data) is None:
        workflow.check(item, Step.CLOSE)  # both verdicts need a submitted report
        if not form.validate_on_submit():
            return _detail(item, "verify", 422, verify_form=form)
        step = Step.CLOSE if form.decision.data == "close" else Step.RETURN
        workflow.apply(item, step, actor_id=current_user.id, comment=form.comment.data, key=form.key.data)
        if committed():
            flash("已销号。" if step is Step.CLOSE else "已退回学校继续整改。", "success")
    return to_detail(item)


@bp.post("/<int:item_id>/files")
def add_file(item_id: int):
    """One evidence file for the report, uploaded as soon as it is picked (weak Wi-Fi: one at a time)."""
    item = load_item(item_id, workflow.TRANSITIONS[Step.SUBMIT].may)
    workflow.check(item, Step.SUBMIT)
    return _files(item, evidence.add_from(FileForm(), item, RectificationItem.files, current_user.id))


@bp.post("/<int:item_id>/files/<int:file_id>/delete")
def delete_file(item_id: int, file_id: int):
    item = load_item(item_id, workflow.TRANSITIONS[Step.SUBMIT].may)
    workflow.check(item, Step.SUBMIT)
    found = next((f for f in item.files if f.id == file_id), None) or abort(404)
    evidence.remove(item.files, found)
    return _files(item, None)


def _files(item: RectificationItem, error: str | None):
    if not is_htmx():
        if error:
            flash(error, "error")
        return to_detail(item, "files")
    return _detail(item, "files", 422 if error else 200, file_error=error)
