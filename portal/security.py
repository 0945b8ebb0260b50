"""Who may do what, where. Every view calls authorize() or load() from here, exactly once.

A permission is a role's right to an action (VIEW, EDIT, ...) over a scope of schools:
ALL schools, the user's own SCOPE (an inspector's 责任区 plus their rounds) or their OWN
school (a principal, a school's 中层). Views never test roles themselves.
"""
import enum
import time
from functools import wraps

from flask import abort, current_app, flash, g, make_response, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature
from sqlalchemy import ColumnElement, Select, and_, bindparam, false, func, or_, select
from sqlalchemy.orm import aliased

from . import clock
from .next_url import safe_next
from .extensions import db, login_manager
from .htmx import current_url, is_htmx, is_partial, navigate, session_ended
from .models import (MAX_ID, Accountability, Attachment, Document, DocumentJob, Draw, Inspection, InspectionMember,
                     InspectionStatus, Observation, ObservationStatus, Photo, PlanFile, Portrait, Purpose, RectificationFile,
                     RectificationItem, ReportAnswer, ReportTask, Role, Round, SectionAssignment, SelfCheck, SelfCheckFile,
                     SignJob, SupervisionOrder, User, Visit, VisitPhoto, inspector_school, self_check_member)



class Action(enum.StrEnum):
    VIEW = "view"        # read a school's data
    EDIT = "edit"        # a principal keeps the school's own data (plan, answers to 整改)
    INSPECT = "inspect"  # an inspector's work at a school (checklists, verification)
    OBSERVE = "observe"  # unannounced classroom observation (推门听课)
    MANAGE = "manage"    # the office's configuration: schools, users, templates, rounds
    DOCUMENTS = "documents"  # read the office's issued 公文 and who has signed for them (leaders)
    ACCOUNT = "account"  # one's own account (password); every role, no school involved
    SECOND_FACTOR = "second_factor"  # a second factor (TOTP) on one's own account: the office and leaders
    LESSONS = "lessons"  # read a school's 推门听课 records and counts (whoever VIEWs it, and its 中层)
    ACCOUNTS = "accounts"  # a school's 中层 accounts: create, edit, deactivate (its principal; the office all)


class Reach(enum.Enum):
    ALL = "all"
    SCOPE = "scope"
    OWN = "own"


RULES: dict[Role, dict[Action, Reach]] = {
    Role.ADMIN: {action: Reach.ALL for action in Action},
    Role.LEADER: {Action.VIEW: Reach.ALL, Action.OBSERVE: Reach.ALL, Action.ACCOUNT: Reach.ALL, Action.DOCUMENTS: Reach.ALL,
                  Action.SECOND_FACTOR: Reach.ALL, Action.LESSONS: Reach.ALL},
    Role.INSPECTOR: {
        Action.VIEW: Reach.SCOPE, Action.INSPECT: Reach.SCOPE, Action.OBSERVE: Reach.SCOPE,
        Action.ACCOUNT: Reach.ALL, Action.LESSONS: Reach.SCOPE,
    },
    # A principal also 推门听课 at their own school, and keeps the accounts of its 中层.
    Role.PRINCIPAL: {Action.VIEW: Reach.OWN, Action.EDIT: Reach.OWN, Action.OBSERVE: Reach.OWN, Action.ACCOUNT: Reach.ALL,
                     Action.LESSONS: Reach.OWN, Action.ACCOUNTS: Reach.OWN},
    # A school's 中层 (教导主任, 教研组长 …) 推门听课 at their own school and read its lessons: not its
    # inspections, plan, circulars or anything else of it.
    Role.STAFF: {Action.OBSERVE: Reach.OWN, Action.LESSONS: Reach.OWN, Action.ACCOUNT: Reach.ALL},
}

# Actions that read what a school has (an inspector reads it also at a round's schools outside the 责任区).
READS = (Action.VIEW, Action.LESSONS)


def inspector_school_ids(user: User, action: Action) -> set[int]:
    """An inspector's schools: the assigned 责任区. A round that sends them to a school outside it (as its
    inspector or in its 督导组) lets them see that school (VIEW) while the round has not ended; what they
    may do there is the inspection the round gave them (can_fill_inspection), nothing else and not for ever."""
    zone = select(inspector_school.c.school_id).where(inspector_school.c.user_id == user.id)
    if action not in READS:
        return set(db.session.scalars(zone))
    on_team = select(InspectionMember.inspection_id).where(InspectionMember.user_id == user.id)
    rounds = (select(Inspection.school_id).join(Round, Round.id == Inspection.round_id)
              .where(or_(Inspection.inspector_id == user.id, Inspection.id.in_(on_team)), Round.ends_on >= clock.today()))
    return set(db.session.scalars(zone.union(rounds)))


def school_ids(user, action: Action) -> set[int] | None:
    """The schools `user` may act on; None means every school."""
    extent = RULES.get(user.role, {}).get(action)
    if extent is None:
        return set()
    if extent is Reach.ALL:
        return None
    if extent is Reach.OWN:
        return {user.school_id} if user.school_id else set()
    cache = g.setdefault("_scope_cache", {})
    key = (user.id, action in READS)
    if key not in cache:
        cache[key] = inspector_school_ids(user, action)
    return cache[key]


def reach(user, action: Action) -> Reach | None:
    """How far `user` may do `action`: every school, their own scope, their own school; None: not at all.
    What a page offers a role follows from it (a school's own people see their school, not a list)."""
    if not user.is_authenticated:
        return None
    return RULES.get(user.role, {}).get(action)


def allowed(user, action: Action, school_id: int | None = None) -> bool:
    """May `user` do `action` at `school_id` (None: anywhere at all, e.g. a list page)?"""
    if not user.is_authenticated:
        return False
    if school_id is None:
        return action in RULES.get(user.role, {})
    ids = school_ids(user, action)
    return ids is None or school_id in ids


def scope_of(obj) -> int | None:
    """The school an object belongs to, or None for office-wide things."""
    if obj is None or isinstance(obj, int):
        return obj
    return getattr(obj, "school_id", None)


def authorize(action: Action, obj=None) -> None:
    """The one gate: sign-in first, then role plus school scope. 403 otherwise."""
    g.authorized = True
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not allowed(current_user, action, scope_of(obj)):
        abort(403)


def _found(model, ident, options):
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < ident <= MAX_ID:  # an id no column can hold is simply not there (no driver overflow)
        abort(404)
    return db.get_or_404(model, ident, options=options or None)


def load(model, ident, action: Action = Action.VIEW, *options):
    """Load-or-abort: 404 when it does not exist, 403 when it is outside the user's scope.
    `options`: loader options (e.g. joinedload) for what the view will read anyway."""
    obj = _found(model, ident, options)
    authorize(action, obj)
    return obj


def load_by(policy, model, ident, *options):
    """Load-or-abort by a record's policy (below): 404 when it does not exist, 403 unless
    `policy(obj)` allows the current user."""
    g.authorized = True
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    obj = _found(model, ident, options)
    if not policy(obj):
        abort(403)
    return obj


def is_own(obj, owner: str) -> bool:
    """The current user's own record (`owner`: the attribute holding its author's id), or the office
    (MANAGE at its school) acting on it."""
    return getattr(obj, owner) == current_user.id or allowed(current_user, Action.MANAGE, scope_of(obj))


def load_own(model, ident, action: Action, owner: str, *options):
    """load(), then 403 unless the object is the current user's own (see is_own)."""
    obj = load(model, ident, action, *options)
    if not is_own(obj, owner):
        abort(403)
    return obj


# Records whose rows are not simply their school's have a policy here: the object check (may the
# current user read, or act on, this row?) and the list query (only the rows they may read) side by
# side, so that a rule cannot hold on a page and fail in a list. tests/test_access.py checks each
# in every state of the record.

def _mine(user_id: int | None) -> bool:
    return user_id is not None and user_id == current_user.id


def round_open(supervision_round) -> bool:
    """A round whose inspections may still be filled in: it has not ended (the county's calendar)."""
    return supervision_round is None or clock.today() <= supervision_round.ends_on


# 督导检查 (models.Inspection): the inspectors' work until the office approves it; then its school's.
# A 督导组 (models.InspectionMember, SectionAssignment) fills one inspection together: its inspector is
# the 组长, who submits and sets the team; each 组员 reads the whole inspection and fills the sections
# given to them; a section given to nobody is the 组长's.

def team_member(inspection: Inspection) -> InspectionMember | None:
    """The current user's place in the inspection's 督导组 as a 组员 (None: not a member)."""
    return next((m for m in inspection.members if _mine(m.user_id)), None)


def can_read_inspection(inspection: Inspection) -> bool:
    """Approved: whoever sees its school. Before that: its own inspector and its team, whoever inspects
    at its school, and the office. Principals and leaders never see a result the office has not approved.
    A school's self-check is read as its SelfCheck is (can_read_self_check)."""
    if inspection.is_self_check:
        return can_read_self_check(inspection.self_check)
    if inspection.released:
        return allowed(current_user, Action.VIEW, inspection.school_id)
    return (_mine(inspection.inspector_id) or allowed(current_user, Action.INSPECT, inspection.school_id)
            or (allowed(current_user, Action.INSPECT) and team_member(inspection) is not None))


def can_fill_inspection(inspection: Inspection) -> bool:
    """Opening it to fill in: its own inspector and its team, nobody else's draft; a round's inspection
    only until the round ends (one returned for correction stays theirs to correct); one without an
    inspector, whoever inspects at its school; always the office. Which sections each may change is
    can_fill_section; whether it is still open for changes at all is its state's matter (the views
    answer 409). A school's self-check: can_fill_self_check."""
    if inspection.is_self_check:
        return can_fill_self_check(inspection.self_check)
    if allowed(current_user, Action.MANAGE, inspection.school_id):
        return True
    if not allowed(current_user, Action.INSPECT):
        return False
    if _mine(inspection.inspector_id) or team_member(inspection) is not None:
        return inspection.status is InspectionStatus.RETURNED or round_open(inspection.round)
    return inspection.inspector_id is None and allowed(current_user, Action.INSPECT, inspection.school_id)


def section_filler(inspection: Inspection, section_id: int) -> int | None:
    """Who fills a section: the member it is given to, else the 组长 (None: an inspection without an inspector)."""
    given = next((a for a in inspection.assignments if a.section_id == section_id), None)
    return given.member.user_id if given is not None else inspection.inspector_id


def can_fill_section(inspection: Inspection, section_id: int) -> bool:
    """Answers and photos of one section: whoever may fill the inspection, and in a team only the section's
    own filler (section_filler); always the office."""
    if not can_fill_inspection(inspection):
        return False
    if not inspection.members or allowed(current_user, Action.MANAGE, inspection.school_id):
        return True
    filler = section_filler(inspection, section_id)
    return filler is None or _mine(filler)


def can_lead_inspection(inspection: Inspection) -> bool:
    """提交 and its 督导组 (who is on it, who fills which section): whoever fills it except a mere 组员,
    that is its 组长; the office."""
    if allowed(current_user, Action.MANAGE, inspection.school_id):
        return True
    return can_fill_inspection(inspection) and team_member(inspection) is None


def can_mark_part_done(member: InspectionMember) -> bool:
    """已完成 on a 组员's part: that member, while they may fill the inspection."""
    return _mine(member.user_id) and can_fill_inspection(member.inspection)


def can_act_on_findings(inspection: Inspection) -> bool:
    """生成整改事项 from a finding: its own inspector, whoever inspects at its school, the office; never
    from a school's self-check (its findings are the school's own)."""
    return not inspection.is_self_check and allowed(current_user, Action.INSPECT) and (
        _mine(inspection.inspector_id) or allowed(current_user, Action.INSPECT, inspection.school_id))


def readable_inspections_clause() -> ColumnElement:
    """The condition on Inspection of can_read_inspection, for list queries and county figures: official
    inspections only. A school's self-check is never among results (its list: readable_self_checks)."""
    official = Inspection.purpose == Purpose.OFFICIAL
    viewing, inspecting = school_ids(current_user, Action.VIEW), school_ids(current_user, Action.INSPECT)
    if inspecting is None:
        return official
    approved = Inspection.status == InspectionStatus.APPROVED
    if viewing is not None:
        approved = and_(approved, Inspection.school_id.in_(viewing))
    mine = Inspection.inspector_id == current_user.id
    if allowed(current_user, Action.INSPECT):  # a 组员's, as can_read_inspection reads them
        mine = or_(mine, Inspection.id.in_(
            select(InspectionMember.inspection_id).where(InspectionMember.user_id == current_user.id)))
    return and_(official, or_(approved, Inspection.school_id.in_(inspecting), mine))


def readable_inspections(stmt: Select) -> Select:
    return stmt.where(readable_inspections_clause())


# 学校自查 (models.SelfCheck, and its Inspection of purpose SELF): the school's own work. Its principal
# and the staff they named fill it; the office reads and fills it always; once handed in, the inspectors
# who will inspect the school read it (those of its 责任区, and the one the round sends there). Leaders
# and other schools never.

def _school_fills(self_check: SelfCheck) -> bool:
    """The school's principal (EDIT at the school), or a user of that school named on it."""
    if current_user.school_id != self_check.school_id:
        return False
    return allowed(current_user, Action.EDIT, self_check.school_id) or any(
        member.id == current_user.id for member in self_check.members)


def can_fill_self_check(self_check: SelfCheck) -> bool:
    """Its answers, report and 上报. Whether it is still open for changes is its state's matter (409)."""
    return allowed(current_user, Action.MANAGE, self_check.school_id) or _school_fills(self_check)


def can_name_self_check_staff(self_check: SelfCheck) -> bool:
    """Who fills it besides the principal: the principal (EDIT at the school) and the office."""
    return allowed(current_user, Action.MANAGE, self_check.school_id) or (
        current_user.school_id == self_check.school_id and allowed(current_user, Action.EDIT, self_check.school_id))


def _inspects_for(self_check: SelfCheck) -> bool:
    """An inspector who will inspect its school: its 责任区, or the round's inspection there."""
    if not allowed(current_user, Action.INSPECT):
        return False
    if allowed(current_user, Action.INSPECT, self_check.school_id):
        return True
    return self_check.round_id is not None and db.session.scalar(select(func.count()).select_from(Inspection).where(
        Inspection.round_id == self_check.round_id, Inspection.school_id == self_check.school_id,
        Inspection.inspector_id == current_user.id)) > 0


def can_read_self_check(self_check: SelfCheck) -> bool:
    if can_fill_self_check(self_check):
        return True
    return self_check.inspection.submitted_at is not None and _inspects_for(self_check)


def readable_self_checks(stmt: Select) -> Select:
    """Narrow a list of SelfCheck rows (joined to their Inspection) to those can_read_self_check allows."""
    if allowed(current_user, Action.MANAGE):
        return stmt
    own = SelfCheck.school_id == current_user.school_id if current_user.school_id else false()
    if not allowed(current_user, Action.EDIT, current_user.school_id):
        own = and_(own, SelfCheck.id.in_(select(self_check_member.c.self_check_id)
                                          .where(self_check_member.c.user_id == current_user.id)))
    handed_in = false()
    if allowed(current_user, Action.INSPECT):
        official = aliased(Inspection)  # the round's inspection, beside the self-check's own in the list's join
        rounds = select(official.id).where(official.inspector_id == current_user.id,
                                           official.round_id == SelfCheck.round_id,
                                           official.school_id == SelfCheck.school_id)
        handed_in = and_(Inspection.submitted_at.is_not(None), or_(
            SelfCheck.school_id.in_(school_ids(current_user, Action.INSPECT)), rounds.exists()))
    return stmt.where(or_(own, handed_in))
# A 督导组's rows (models.InspectionMember, SectionAssignment) are read as their inspection is.

def can_read_team_member(member: InspectionMember) -> bool:
    return can_read_inspection(member.inspection)


def readable_team_members(stmt: Select) -> Select:
    return stmt.join(Inspection, Inspection.id == InspectionMember.inspection_id).where(readable_inspections_clause())


def can_read_assignment(assignment: SectionAssignment) -> bool:
    return can_read_inspection(assignment.inspection)


def readable_assignments(stmt: Select) -> Select:
    return stmt.join(Inspection, Inspection.id == SectionAssignment.inspection_id).where(readable_inspections_clause())


# 推门听课 (models.Observation): an open record is its observer's alone; a finished one its school's.

def can_read_observation(observation: Observation) -> bool:
    if observation.final:
        return allowed(current_user, Action.LESSONS, observation.school_id)
    return can_record_observation(observation)


def can_record_observation(observation: Observation) -> bool:
    """Its fields, scores, quick log, 完成 and the feedback: its observer, or the office."""
    return _mine(observation.observer_id) or allowed(current_user, Action.MANAGE, observation.school_id)


def readable_observations(stmt: Select) -> Select:
    stmt = scoped(stmt, Observation.school_id, Action.LESSONS)
    if allowed(current_user, Action.MANAGE):
        return stmt
    return stmt.where(or_(Observation.status == ObservationStatus.FINAL, Observation.observer_id == current_user.id))


# 账号 (models.User): the office keeps every account; a principal the accounts of their school's 中层.

def can_manage_account(user: User) -> bool:
    if allowed(current_user, Action.MANAGE):
        return True
    return user.role is Role.STAFF and user.school_id is not None and allowed(current_user, Action.ACCOUNTS, user.school_id)


def manageable_accounts(stmt: Select) -> Select:
    if allowed(current_user, Action.MANAGE):
        return stmt
    return stmt.where(User.role == Role.STAFF, User.school_id.in_(school_ids(current_user, Action.ACCOUNTS)))


# 整改事项 (models.RectificationItem): its school's, and its named verifier's wherever they work.

def can_read_item(item: RectificationItem) -> bool:
    return allowed(current_user, Action.VIEW, item.school_id) or _mine(item.inspector_id)


def can_edit_item(item: RectificationItem) -> bool:
    """Its wording, due date and verifier: whoever inspects at its school, its named verifier, the office."""
    return allowed(current_user, Action.INSPECT, item.school_id) or (
        _mine(item.inspector_id) and allowed(current_user, Action.INSPECT))


def can_verify_item(item: RectificationItem) -> bool:
    """销号 or 退回: its named verifier alone, or the office."""
    return allowed(current_user, Action.MANAGE, item.school_id) or (
        _mine(item.inspector_id) and allowed(current_user, Action.INSPECT))


def readable_items(stmt: Select) -> Select:
    return _school_or_own(stmt, RectificationItem.school_id, RectificationItem.inspector_id)


def _school_or_own(stmt: Select, school_column, person_column) -> Select:
    """Rows of the schools the user sees, and their own (`person_column`) wherever they are."""
    ids = school_ids(current_user, Action.VIEW)
    return stmt if ids is None else stmt.where(or_(school_column.in_(ids), person_column == current_user.id))


# 督办 (models.SupervisionOrder) and 问责 (models.Accountability): the school's record, read by whoever
# sees the school (the office and the leaders every school's, a 责任督学 their 责任区's, a principal
# their own school's); only the office records 问责 (Action.MANAGE), and only the escalation run makes 督办.

def can_read_order(order: SupervisionOrder) -> bool:
    return allowed(current_user, Action.VIEW, order.school_id)


def readable_orders(stmt: Select) -> Select:
    return scoped(stmt, SupervisionOrder.school_id)


def can_read_accountability(entry: Accountability) -> bool:
    return allowed(current_user, Action.VIEW, entry.school_id)


def readable_accountability(stmt: Select) -> Select:
    return scoped(stmt, Accountability.school_id)


# 责任督学 visits (models.Visit): its school's (the principal reads their own school's), and its
# inspector's wherever they go later (a school leaving their 责任区 keeps their record theirs to read).

def can_read_visit(visit: Visit) -> bool:
    return allowed(current_user, Action.VIEW, visit.school_id) or _mine(visit.inspector_id)


def can_record_visit(visit: Visit) -> bool:
    """Its fields and photos: its inspector while they inspect, or the office."""
    return allowed(current_user, Action.MANAGE, visit.school_id) or (
        _mine(visit.inspector_id) and allowed(current_user, Action.INSPECT))


def readable_visits(stmt: Select) -> Select:
    return _school_or_own(stmt, Visit.school_id, Visit.inspector_id)


# An inspector's portrait (models.Portrait): printed on their schools' signs at the gate, so whoever
# signs in may see it; only the inspector themselves and the office change it.

def can_change_portrait(user: User) -> bool:
    return user.role is Role.INSPECTOR and (_mine(user.id) and allowed(current_user, Action.INSPECT)
                                            or allowed(current_user, Action.MANAGE))


# 随机抽取 (models.Draw): a class drawn at a school is that school's; a round's draws (which
# schools, which inspector goes where) are the office's and the leaders' while the round is under
# way: the drawn inspector sees their own assignment, everyone else once the inspections are in.

HANDED_IN = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)


def can_read_draw(draw: Draw) -> bool:
    if draw.school_id is not None:
        return allowed(current_user, Action.VIEW, draw.school_id)
    if school_ids(current_user, Action.VIEW) is None:
        return True
    assigned = db.session.scalar(select(Inspection).where(Inspection.inspector_draw_id == draw.id))
    if assigned is not None:
        return _mine(assigned.inspector_id) or (
            assigned.status in HANDED_IN and allowed(current_user, Action.VIEW, assigned.school_id))
    waiting = select(func.count()).select_from(Inspection).join(Round, Round.id == Inspection.round_id).where(
        Round.school_draw_id == draw.id, Inspection.status.not_in(HANDED_IN))
    return allowed(current_user, Action.VIEW) and db.session.scalar(waiting) == 0


# Stored files (models.Attachment) are read as the record they belong to is.

def can_read_attachment(attachment: Attachment) -> bool:
    either = lambda owner: or_(owner.attachment_id == attachment.id, owner.thumbnail_id == attachment.id)  # noqa: E731
    photo = db.session.scalar(select(Photo).where(either(Photo)))
    if photo is not None:
        return can_read_inspection(photo.answer.inspection)
    evidence = db.session.scalar(select(RectificationFile).where(either(RectificationFile)))
    if evidence is not None:
        return can_read_item(evidence.rectification)
    report = db.session.scalar(select(SelfCheckFile).where(either(SelfCheckFile)))
    if report is not None:
        return can_read_self_check(report.self_check)
    if db.session.scalar(select(Document.id).where(Document.pdf_id == attachment.id)):
        return allowed(current_user, Action.DOCUMENTS)  # only issued documents have a stored PDF
    if db.session.scalar(select(DocumentJob.id).where(DocumentJob.zip_id == attachment.id)):
        return allowed(current_user, Action.MANAGE)
    template_of = db.session.scalar(select(ReportTask).where(ReportTask.template_id == attachment.id))
    if template_of is not None:
        return can_read_report_task(template_of)
    answer = db.session.scalar(select(ReportAnswer).where(ReportAnswer.attachment_id == attachment.id))
    if answer is not None:
        return can_read_report_answer(answer)
    visit_photo = db.session.scalar(select(VisitPhoto).where(either(VisitPhoto)))
    if visit_photo is not None:
        return can_read_visit(visit_photo.visit)
    if db.session.scalar(select(Portrait.user_id).where(either(Portrait))):
        return allowed(current_user, Action.VIEW)
    if db.session.scalar(select(SignJob.id).where(SignJob.pdf_id == attachment.id)):
        return allowed(current_user, Action.MANAGE)
    milestone_file = db.session.scalar(select(PlanFile).where(either(PlanFile)))
    if milestone_file is not None:
        return allowed(current_user, Action.VIEW, milestone_file.school_id)
    return allowed(current_user, Action.VIEW, attachment.school_id)


# 报送 (models.ReportTask, ReportAnswer): a task is the office's; each school's answer is that school's
# alone (a principal never sees another school's), and the task itself whoever sees one of its schools.

def can_read_report_answer(answer: ReportAnswer) -> bool:
    return allowed(current_user, Action.VIEW, answer.school_id)


def readable_report_answers(stmt: Select) -> Select:
    return scoped(stmt, ReportAnswer.school_id)


def can_read_report_task(task: ReportTask) -> bool:
    """The office, and whoever sees one of the schools it was sent to (its wording, its template)."""
    ids = school_ids(current_user, Action.VIEW)
    return ids is None or any(a.school_id in ids for a in task.answers)


def readable_report_tasks(stmt: Select) -> Select:
    ids = school_ids(current_user, Action.VIEW)
    return stmt if ids is None else stmt.where(ReportTask.answers.any(ReportAnswer.school_id.in_(ids)))


# 公文 (models.Document): the office drafts and manages them; leaders read the issued ones.

def load_document(model, ident, *options):
    """A document the current user may read: any for the office, an issued one for DOCUMENTS."""
    document = load(model, ident, Action.DOCUMENTS, *options)
    if not document.issued:
        authorize(Action.MANAGE)
    return document


def readable_documents(stmt: Select, status_column, issued) -> Select:
    """Narrow a list of documents to those the current user may read."""
    return stmt if allowed(current_user, Action.MANAGE) else stmt.where(status_column == issued)


def scoped(stmt: Select, school_column, action: Action = Action.VIEW) -> Select:
    """Narrow a list query to the schools the current user may see."""
    ids = school_ids(current_user, action)
    return stmt if ids is None else stmt.where(school_column.in_(ids))


def public(view):
    """Marks a view that anyone may open (sign-in page); it still passes through here."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.authorized = True
        return view(*args, **kwargs)

    return wrapper


CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def secure_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # same-origin, not no-referrer: Flask-WTF's HTTPS referrer check needs it.
    response.headers["Referrer-Policy"] = "same-origin"
    if not current_user.is_anonymous and request.endpoint != "static":  # no attribute read: no reload after a commit
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS (SECURE_COOKIES): browsers keep to it
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def check_authorized(response):
    """Tests and development: a view that answered without calling authorize() is a bug."""
    if request.endpoint and request.endpoint != "static" and not g.get("authorized"):
        if response.status_code < 400:
            raise AssertionError(f"view {request.endpoint} did not call security.authorize()")
    return response


SESSION_RESIGN_AFTER = 5 * 60  # seconds a session cookie's signature may age before a response renews it


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie session, re-signed when it changed or is older than SESSION_RESIGN_AFTER.

    Flask re-signs a permanent session on every response so that it expires a full
    PERMANENT_SESSION_LIFETIME after the last request. Sliding it every few minutes instead keeps
    that idle timeout (now up to SESSION_RESIGN_AFTER shorter, never longer) without a signature
    and a Set-Cookie header on every autosave."""

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        cookie = request.cookies.get(self.get_cookie_name(app))
        if serializer is None or not cookie:
            return super().open_session(app, request)
        try:
            data, signed_at = serializer.loads(cookie, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session

    def should_set_cookie(self, app, session) -> bool:
        if g.get("leave_session"):
            return False
        signed_at = getattr(session, "signed_at", None)
        if signed_at is not None and not session.modified and time.time() - signed_at < SESSION_RESIGN_AFTER:
            return False
        return super().should_set_cookie(app, session)


USER = select(User).where(User.id == bindparam("id"))  # built once: every request loads its user


def init_app(app) -> None:
    app.session_interface = SessionCookie()
    app.after_request(secure_headers)
    if app.config["APP_ENV"] in {"testing", "development"}:
        app.after_request(check_authorized)

    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"

    @login_manager.unauthorized_handler
    def unauthorized():
        """To sign-in and back. A fragment request (an autosave, a queued change, a swap) is not sent
        away: it answers 401 and the page offers to sign in again in place, keeping what waits
        (static/js/session.js). A boosted navigation goes to the sign-in page as a whole page."""
        if is_partial():
            return session_ended()
        back = safe_next(current_url() if is_htmx() else request.full_path.rstrip("?"))
        login = url_for("auth.login", next=back)
        if is_htmx():
            return navigate(login, 401)
        if request.headers.get("Sec-Fetch-Dest") == "empty":
            # A script's request (fetch or XHR: the service worker keeping a page): 401, and no session
            # cookie sent back. A redirect's flash, or the sign-in page it leads to, would begin a new
            # session if the request went without a cookie, and its token would refuse a sign-in form
            # opened meanwhile. (An image or a page still goes to the sign-in page, as before.)
            g.leave_session = True
            return make_response("", 401)
        flash("请先登录。", "info")
        return redirect(login)

    @login_manager.user_loader
    def load_user(token: str):
        user_id, _, version = token.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.scalar(USER, {"id": int(user_id)})
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user

