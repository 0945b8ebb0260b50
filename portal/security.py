"""Who may do what, where. Every view calls authorize() or load() from here, exactly once.

A permission is a role's right to an action (VIEW, EDIT, ...) over a scope of schools:
ALL schools, the user's own SCOPE (an inspector's 责任区 plus their rounds) or their OWN
school (a principal). Views never test roles themselves.
"""
import enum
import time
from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, true

from . import clock
from .next_url import safe_next
from .extensions import db, login_manager
from .htmx import current_url, is_htmx, is_partial, navigate, session_ended
from .models import (MAX_ID, Attachment, Document, DocumentJob, Draw, Inspection, InspectionStatus, Observation,
                     ObservationStatus, Photo, PlanFile, RectificationFile, RectificationItem, Role, Round, User,
                     inspector_school)



class Action(enum.StrEnum):
    VIEW = "view"        # read a school's data
    EDIT = "edit"        # a principal keeps the school's own data (plan, answers to 整改)
    INSPECT = "inspect"  # an inspector's work at a school (checklists, verification)
    OBSERVE = "observe"  # unannounced classroom observation (推门听课)
    MANAGE = "manage"    # the office's configuration: schools, users, templates, rounds
    DOCUMENTS = "documents"  # read the office's issued 公文 and who has signed for them (leaders)
    ACCOUNT = "account"  # one's own account (password); every role, no school involved
    SECOND_FACTOR = "second_factor"  # a second factor (TOTP) on one's own account: the office and leaders


class Reach(enum.Enum):
    ALL = "all"
    SCOPE = "scope"
    OWN = "own"


RULES: dict[Role, dict[Action, Reach]] = {
    Role.ADMIN: {action: Reach.ALL for action in Action},
    Role.LEADER: {Action.VIEW: Reach.ALL, Action.OBSERVE: Reach.ALL, Action.ACCOUNT: Reach.ALL, Action.DOCUMENTS: Reach.ALL,
                  Action.SECOND_FACTOR: Reach.ALL},
    Role.INSPECTOR: {
        Action.VIEW: Reach.SCOPE, Action.INSPECT: Reach.SCOPE, Action.OBSERVE: Reach.SCOPE,
        Action.ACCOUNT: Reach.ALL,
    },
    # A principal (and the school's leaders signed in as principal) also 推门听课 at their own school.
    Role.PRINCIPAL: {Action.VIEW: Reach.OWN, Action.EDIT: Reach.OWN, Action.OBSERVE: Reach.OWN, Action.ACCOUNT: Reach.ALL},
}


def inspector_school_ids(user: User, action: Action) -> set[int]:
    """An inspector's schools: the assigned 责任区. A round that sends them to a school outside it lets
    them see that school (VIEW) while the round has not ended; what they may do there is the
    inspection the round gave them (can_fill_inspection), nothing else and not for ever."""
    zone = select(inspector_school.c.school_id).where(inspector_school.c.user_id == user.id)
    if action is not Action.VIEW:
        return set(db.session.scalars(zone))
    rounds = (select(Inspection.school_id).join(Round, Round.id == Inspection.round_id)
              .where(Inspection.inspector_id == user.id, Round.ends_on >= clock.today()))
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
    key = (user.id, action is Action.VIEW)
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

def can_read_inspection(inspection: Inspection) -> bool:
    """Approved: whoever sees its school. Before that: its own inspector, whoever inspects at its
    school, and the office. Principals and leaders never see a result the office has not approved."""
    if inspection.released:
        return allowed(current_user, Action.VIEW, inspection.school_id)
    return _mine(inspection.inspector_id) or allowed(current_user, Action.INSPECT, inspection.school_id)


def can_fill_inspection(inspection: Inspection) -> bool:
    """Answers, notes, photos and 提交: its own inspector, nobody else's draft; a round's inspection
    only until the round ends (one returned for correction stays theirs to correct); one without an
    inspector, whoever inspects at its school; always the office. Whether it is still open for
    changes at all is its state's matter (the views answer 409)."""
    if allowed(current_user, Action.MANAGE, inspection.school_id):
        return True
    if not allowed(current_user, Action.INSPECT):
        return False
    if inspection.inspector_id is None:
        return allowed(current_user, Action.INSPECT, inspection.school_id)
    return _mine(inspection.inspector_id) and (
        inspection.status is InspectionStatus.RETURNED or round_open(inspection.round))


def can_act_on_findings(inspection: Inspection) -> bool:
    """生成整改事项 from a finding: its own inspector, whoever inspects at its school, the office."""
    return allowed(current_user, Action.INSPECT) and (
        _mine(inspection.inspector_id) or allowed(current_user, Action.INSPECT, inspection.school_id))


def readable_inspections_clause() -> ColumnElement:
    """The condition on Inspection of can_read_inspection, for list queries and county figures."""
    viewing, inspecting = school_ids(current_user, Action.VIEW), school_ids(current_user, Action.INSPECT)
    if inspecting is None:
        return true()
    approved = Inspection.status == InspectionStatus.APPROVED
    if viewing is not None:
        approved = and_(approved, Inspection.school_id.in_(viewing))
    return or_(approved, Inspection.school_id.in_(inspecting), Inspection.inspector_id == current_user.id)


def readable_inspections(stmt: Select) -> Select:
    return stmt.where(readable_inspections_clause())


# 推门听课 (models.Observation): an open record is its observer's alone; a finished one its school's.

def can_read_observation(observation: Observation) -> bool:
    if observation.final:
        return allowed(current_user, Action.VIEW, observation.school_id)
    return can_record_observation(observation)


def can_record_observation(observation: Observation) -> bool:
    """Its fields, scores, quick log, 完成 and the feedback: its observer, or the office."""
    return _mine(observation.observer_id) or allowed(current_user, Action.MANAGE, observation.school_id)


def readable_observations(stmt: Select) -> Select:
    stmt = scoped(stmt, Observation.school_id, Action.VIEW)
    if allowed(current_user, Action.MANAGE):
        return stmt
    return stmt.where(or_(Observation.status == ObservationStatus.FINAL, Observation.observer_id == current_user.id))


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
    ids = school_ids(current_user, Action.VIEW)
    if ids is None:
        return stmt
    return stmt.where(or_(RectificationItem.school_id.in_(ids), RectificationItem.inspector_id == current_user.id))


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
    if db.session.scalar(select(Document.id).where(Document.pdf_id == attachment.id)):
        return allowed(current_user, Action.DOCUMENTS)  # only issued documents have a stored PDF
    if db.session.scalar(select(DocumentJob.id).where(DocumentJob.zip_id == attachment.id)):
        return allowed(current_user, Action.MANAGE)
    milestone_file = db.session.scalar(select(PlanFile).where(either(PlanFile)))
    if milestone_file is not None:
        return allowed(current_user, Action.VIEW, milestone_file.school_id)
    return allowed(current_user, Action.VIEW, attachment.school_id)


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

