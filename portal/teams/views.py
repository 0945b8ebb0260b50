"""督导组: who fills an inspection with its 组长, which sections each fills, and a member's 已完成.
The rules are in roster.py; who may do what in security.py (can_lead_inspection, can_mark_part_done)."""
from flask import Blueprint, abort, flash, request, url_for
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..htmx import render, see_other
from ..models import Inspection, InspectionMember
from ..security import can_lead_inspection, can_mark_part_done, load_by
from ..supervision import sheet
from . import roster
from .forms import TeamForm, assignment_form

bp = Blueprint("teams", __name__, url_prefix="/inspections")

WITH_TEAM = (joinedload(Inspection.version), joinedload(Inspection.school))


def led(inspection_id: int) -> Inspection:
    """An inspection whose team the current user sets (its 组长, the office)."""
    return load_by(can_lead_inspection, Inspection, inspection_id, *WITH_TEAM)


def still_open(inspection: Inspection) -> None:
    try:
        roster.check_open(inspection)
    except roster.Refused as refused:
        abort(409, description=str(refused))


@bp.route("/<int:inspection_id>/team", methods=["GET", "POST"])
def edit(inspection_id: int):
    inspection = led(inspection_id)
    form = TeamForm(data={"leader": inspection.inspector_id, "members": [m.user_id for m in inspection.members]}
                    if request.method == "GET" else None, leader_id=inspection.inspector_id)
    if request.method == "POST":
        still_open(inspection)
        if form.validate_on_submit():
            roster.set_team(inspection, form.leader.data, form.members.data or [])
            db.session.commit()
            flash("督导组已保存。", "success")
            return see_other(url_for("teams.edit", inspection_id=inspection.id))
    return _page(inspection, form, None, 422 if form.errors else 200)


@bp.post("/<int:inspection_id>/team/sections")
def assign(inspection_id: int):
    inspection = led(inspection_id)
    still_open(inspection)
    built = sheet.build(inspection, photos=False)
    form = assignment_form(built.parts, inspection.members, formdata=request.form)
    if not form.validate_on_submit():
        return _page(inspection, None, form, 422, built)
    roster.assign(inspection, form.fillers())
    db.session.commit()
    flash("分工已保存。", "success")
    return see_other(url_for("teams.edit", inspection_id=inspection.id))


def _page(inspection: Inspection, form, assignment, status: int, built=None):
    built = built or sheet.build(inspection, photos=False)
    team = roster.roster(inspection, built)
    if form is None:
        form = TeamForm(formdata=None, data={"leader": inspection.inspector_id,
                                             "members": [m.user_id for m in inspection.members]},
                        leader_id=inspection.inspector_id)
    if assignment is None:
        assignment = assignment_form(built.parts, inspection.members, data={
            f"section_{a.section_id}": a.member_id for a in inspection.assignments})
    return render("teams/edit.html", inspection=inspection, form=form, assignment=assignment, team=team,
                  parts=built.parts, status=status)


@bp.post("/<int:inspection_id>/team/members/<int:member_id>/done")
def done(inspection_id: int, member_id: int):
    """A member marks their part 已完成 (done=1) or takes it back (done=0)."""
    member = load_by(lambda m: m.inspection_id == inspection_id and can_mark_part_done(m), InspectionMember, member_id)
    if not member.inspection.editable:
        abort(409, description=f"这次检查{member.inspection.status.value}，不能再修改。")
    roster.mark_done(member, request.form.get("done") == "1")
    db.session.commit()
    flash("已标记您负责的部分已完成，组长可以看到。" if member.done_at else "已取消“已完成”。", "success")
    return see_other(url_for("supervision.fill", inspection_id=inspection_id))
