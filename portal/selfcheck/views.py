"""学校自查: the office (or a round) asks schools to check themselves; the school names who fills it,
fills it on the inspections' filling page, attaches its 自查报告 and hands it in (上报)."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from .. import clock
from ..extensions import db
from ..files import evidence
from ..htmx import is_htmx, render, see_other
from ..idempotency import made, new_key
from ..models import Round, SelfCheck, SelfCheckFile, User
from ..rectification.forms import FileForm
from ..security import (Action, authorize, can_fill_self_check, can_name_self_check_staff, can_read_self_check, load,
                        load_by, readable_self_checks)
from ..supervision import sheet, submission, workflow
from . import requests
from .forms import AskRoundForm, AskSchoolForm, MemberForm

bp = Blueprint("selfcheck", __name__, url_prefix="/self-checks")


def open_for_changes(check_id: int, policy=can_fill_self_check) -> SelfCheck:
    """A self-check the current user may change (403), not yet handed in (409)."""
    check = load_by(policy, SelfCheck, check_id)
    if not check.inspection.editable:
        abort(409, description=f"这次自查{check.inspection.status.value}，不能再修改。")
    return check


@bp.get("/")
def index():
    authorize(Action.VIEW)
    checks = db.session.scalars(readable_self_checks(requests.listed())).all()
    return render("selfcheck/index.html", checks=checks, today=clock.today())


@bp.route("/new", methods=["GET", "POST"])
def ask_school():
    authorize(Action.MANAGE)
    form = AskSchoolForm(data={"key": new_key(), "school": request.args.get("school", type=int)})
    if form.validate_on_submit():
        check = made(SelfCheck, form.key.data)
        if check is None:  # a second tap finds the first one's request
            check = requests.ask(form.school.data, form.version.data, form.due_on.data, today=clock.today(),
                                 requested_by_id=current_user.id, key=form.key.data)
            db.session.commit()
            flash("已通知学校自查。", "success")
        return see_other(url_for("selfcheck.detail", check_id=check.id))
    return render("selfcheck/ask.html", "form", form=form, round=None, schools=None,
                  status=422 if form.errors else 200)


@bp.route("/round/<int:round_id>", methods=["GET", "POST"])
def ask_round(round_id: int):
    supervision_round = load(Round, round_id, Action.MANAGE)
    form = AskRoundForm(data={"due_on": supervision_round.starts_on} if request.method == "GET" else None)
    if form.validate_on_submit():
        asked = requests.ask_round(supervision_round, form.due_on.data, today=clock.today(),
                                   requested_by_id=current_user.id)
        db.session.commit()
        flash(f"已通知 {len(asked)} 所学校自查。" if asked else "本批次的学校都已通知过。", "success")
        return see_other(url_for("selfcheck.index"))
    return render("selfcheck/ask.html", "form", form=form, round=supervision_round,
                  schools=requests.round_schools(round_id), asked=requests.of_round(round_id),
                  status=422 if form.errors else 200)


@bp.get("/<int:check_id>")
def detail(check_id: int):
    return _detail(load_by(can_read_self_check, SelfCheck, check_id))


def _detail(check: SelfCheck, block: str | None = None, status: int = 200, **context):
    context.setdefault("member_form", MemberForm(check, formdata=None))
    editable = check.inspection.editable
    return render("selfcheck/detail.html", block, check=check, inspection=check.inspection, today=clock.today(),
                  sheet=sheet.build(check.inspection, photos=False), status=status,
                  filling=editable and can_fill_self_check(check),
                  naming=editable and can_name_self_check_staff(check), **context)


@bp.post("/<int:check_id>/members")
def add_member(check_id: int):
    """Name one of the school's people to fill it with the principal."""
    check = open_for_changes(check_id, can_name_self_check_staff)
    form = MemberForm(check)
    if not form.validate_on_submit():
        return _detail(check, "members", 422, member_form=form)
    check.members.append(db.session.get(User, form.user.data))
    db.session.commit()
    return _members(check)


@bp.post("/<int:check_id>/members/<int:user_id>/delete")
def remove_member(check_id: int, user_id: int):
    check = open_for_changes(check_id, can_name_self_check_staff)
    named = next((member for member in check.members if member.id == user_id), None)
    if named is not None:  # already gone: a second tap
        check.members.remove(named)
        db.session.commit()
    return _members(check)


def _members(check: SelfCheck):
    if not is_htmx():
        return see_other(url_for("selfcheck.detail", check_id=check.id, _anchor="members"))
    return _detail(check, "members")


@bp.post("/<int:check_id>/files")
def add_file(check_id: int):
    """One file of the 自查报告, uploaded as soon as it is picked."""
    check = open_for_changes(check_id)
    return _files(check, evidence.add_from(FileForm(), check, SelfCheck.files, current_user.id))


@bp.post("/<int:check_id>/files/<int:file_id>/delete")
def delete_file(check_id: int, file_id: int):
    check = open_for_changes(check_id)
    found = load_by(lambda row: row.self_check_id == check.id, SelfCheckFile, file_id)
    evidence.remove(check.files, found)
    return _files(check, None)


def _files(check: SelfCheck, error: str | None):
    if not is_htmx():
        if error:
            flash(error, "error")
        return see_other(url_for("selfcheck.detail", check_id=check.id, _anchor="report"))
    return _detail(check, "files", 422 if error else 200, file_error=error)


@bp.post("/<int:check_id>/submit")
def submit(check_id: int):
    """上报: every item answered as its rules ask (supervision/submission.py) and the report attached."""
    check = load_by(can_fill_self_check, SelfCheck, check_id)
    if check.inspection.submitted_at is not None and not check.inspection.editable:  # a second tap
        return see_other(url_for("selfcheck.detail", check_id=check.id))
    try:
        workflow.check(check.inspection, workflow.Step.SUBMIT)
    except workflow.Refused as refused:
        abort(409, description=str(refused))
    built = sheet.build(check.inspection)
    blocking = submission.blockers(built)
    if blocking or not check.files:
        return _detail(check, "blockers", 422, blocking=blocking, no_report=not check.files)
    workflow.submit(check.inspection, built)
    db.session.commit()
    flash("自查已上报。" + ("（已过截止日期）" if clock.today() > check.due_on else ""), "success")
    return see_other(url_for("selfcheck.detail", check_id=check.id))
