"""A milestone's progress from the tablet: status, note, evidence files, and its link to rectification items."""
from flask import abort, flash
from flask_login import current_user
from sqlalchemy import delete, insert, select

from .. import clock
from ..extensions import db
from ..files import evidence
from ..htmx import is_htmx, is_partial, render
from ..idempotency import committed, made, new_key
from ..models import Milestone, MilestoneStatus, MilestoneUpdate, RectificationItem, log_event, milestone_rectification
from ..rectification.forms import FileForm
from ..security import Action
from . import workflow
from .forms import LinkForm, UpdateForm
from .views import bp, load_milestone, to_milestone


@bp.get("/milestones/<int:milestone_id>")
def milestone(milestone_id: int):
    return _milestone(load_milestone(milestone_id))


def _milestone(milestone: Milestone, block: str | None = None, status: int = 200, **forms):
    plan = milestone.goal.plan
    forms.setdefault("update_form", UpdateForm(formdata=None, data={"status": milestone.status.name, "key": new_key()}))
    forms.setdefault("link_form", LinkForm(plan.school_id, formdata=None))
    linked = db.session.scalars(select(RectificationItem).join(milestone_rectification).where(
        milestone_rectification.c.milestone_id == milestone.id).order_by(RectificationItem.id)).all()
    return render("plans/milestone.html", block, milestone=milestone, goal=milestone.goal, plan=plan,
                  today=clock.today(), linked=linked, status=status, **forms)


@bp.post("/milestones/<int:milestone_id>/progress")
def update_milestone(milestone_id: int):
    milestone = load_milestone(milestone_id, Action.EDIT)
    workflow.check_progress(milestone.goal.plan)
    form = UpdateForm(evidence=len(milestone.files))
    if made(MilestoneUpdate, form.key.data) is None:
        if not form.validate_on_submit():
            return _milestone(milestone, "progress", 422, update_form=form)
        workflow.record_update(milestone, MilestoneStatus[form.status.data], form.note.data, actor_id=current_user.id,
                               today=clock.today(), key=form.key.data)
        if committed():
            flash("进度已保存。", "success")
    if is_partial():
        return _milestone(milestone, "progress")
    return to_milestone(milestone)


@bp.post("/milestones/<int:milestone_id>/files")
def add_file(milestone_id: int):
    """One evidence file, uploaded as soon as it is picked (weak Wi-Fi: one at a time)."""
    milestone = load_milestone(milestone_id, Action.EDIT)
    workflow.check_progress(milestone.goal.plan)
    return _files(milestone, evidence.add_from(FileForm(), milestone, Milestone.files, current_user.id))


@bp.post("/milestones/<int:milestone_id>/files/<int:file_id>/delete")
def delete_file(milestone_id: int, file_id: int):
    milestone = load_milestone(milestone_id, Action.EDIT)
    workflow.check_progress(milestone.goal.plan)
    if milestone.status is MilestoneStatus.DONE:
        raise workflow.Refused("已完成的里程碑的佐证不能删除；如需更换，请先把进度改回“进行中”。")
    found = next((f for f in milestone.files if f.id == file_id), None) or abort(404)
    evidence.remove(milestone.files, found)
    return _files(milestone, None)


def _files(milestone: Milestone, error: str | None):
    if not is_htmx():
        if error:
            flash(error, "error")
        return to_milestone(milestone, "files")
    return _milestone(milestone, "files", 422 if error else 200, file_error=error)


@bp.post("/milestones/<int:milestone_id>/rectification")
def link(milestone_id: int):
    """Link one of the school's open rectification items to the milestone that addresses it."""
    milestone = load_milestone(milestone_id, Action.EDIT)
    form = LinkForm(milestone.school_id)
    if not form.validate_on_submit():
        return _milestone(milestone, "links", 422, link_form=form)
    db.session.execute(insert(milestone_rectification).values(rectification_id=form.rectification.data,
                                                              milestone_id=milestone.id))
    log_event("milestone_rectification", form.rectification.data, "create", school_id=milestone.school_id,
              milestone=milestone.id)
    if committed():
        flash("已关联整改事项。", "success")
    return to_milestone(milestone, "links")


@bp.post("/milestones/<int:milestone_id>/rectification/<int:item_id>/delete")
def unlink(milestone_id: int, item_id: int):
    milestone = load_milestone(milestone_id, Action.EDIT)
    gone = db.session.execute(delete(milestone_rectification).where(
        milestone_rectification.c.milestone_id == milestone.id, milestone_rectification.c.rectification_id == item_id))
    if gone.rowcount:
        log_event("milestone_rectification", item_id, "delete", school_id=milestone.school_id, milestone=milestone.id)
        db.session.commit()
        flash("已取消关联。", "success")
    return to_milestone(milestone, "links")
