"""Who may do what, where. Every view calls authorize() or load() from here, exactly once.

A permission is a role's right to an action (VIEW, EDIT, ...) over a scope of schools:
ALL schools, the user's own SCOPE (an inspector's 责任区 plus their rounds) or their OWN
school (a principal). Views never test roles themselves.
"""
import enum
import time
from functools import wraps

from flask import abort, flash, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature
from sqlalchemy import Select, bindparam, select

from .auth.next_url import safe_next
from .extensions import db, login_manager
from .htmx import current_url, is_htmx, is_partial, navigate, session_ended
from .models import Inspection, Role, User, inspector_school


MAX_ID = 2**31 - 1


class Action(enum.StrEnum):
    VIEW = "view"        # read a school's data
    EDIT = "edit"        # a principal keeps the school's own data (plan, answers to 整改)
    INSPECT = "inspect"  # an inspector's work at a school (checklists, verification)
    OBSERVE = "observe"  # unannounced classroom observation (推门听课)
    MANAGE = "manage"    # the office's configuration: schools, users, templates, rounds
    ACCOUNT = "account"  # one's own account (password); every role, no school involved


class Reach(enum.Enum):
    ALL = "all"
    SCOPE = "scope"
    OWN = "own"


RULES: dict[Role, dict[Action, Reach]] = {
    Role.ADMIN: {action: Reach.ALL for action in Action},
    Role.LEADER: {Action.VIEW: Reach.ALL, Action.OBSERVE: Reach.ALL, Action.ACCOUNT: Reach.ALL},
    Role.INSPECTOR: {
        Action.VIEW: Reach.SCOPE, Action.INSPECT: Reach.SCOPE, Action.OBSERVE: Reach.SCOPE,
        Action.ACCOUNT: Reach.ALL,
    },
    Role.PRINCIPAL: {Action.VIEW: Reach.OWN, Action.EDIT: Reach.OWN, Action.ACCOUNT: Reach.ALL},
}


def inspector_school_ids(user: User) -> set[int]:
    """An inspector's schools: the assigned 责任区, and the schools a supervision round sends them to."""
    zone = select(inspector_school.c.school_id).where(inspector_school.c.user_id == user.id)
    rounds = select(Inspection.school_id).where(Inspection.inspector_id == user.id, Inspection.round_id.is_not(None))
    return set(db.session.scalars(zone.union(rounds)))


def school_ids(user, action: Action) -> set[int] | None:
    """The schools `user` may act on; None means every school."""
    reach = RULES.get(user.role, {}).get(action)
    if reach is None:
        return set()
    if reach is Reach.ALL:
        return None
    if reach is Reach.OWN:
        return {user.school_id} if user.school_id else set()
    cache = g.setdefault("_scope_cache", {})
    if user.id not in cache:
        cache[user.id] = inspector_school_ids(user)
    return cache[user.id]


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


def load(model, ident, action: Action = Action.VIEW, *options):
    """Load-or-abort: 404 when it does not exist, 403 when it is outside the user's scope.
    `options`: loader options (e.g. joinedload) for what the view will read anyway."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < ident <= MAX_ID:  # an id no column can hold is simply not there (no driver overflow)
        abort(404)
    obj = db.get_or_404(model, ident, options=options or None)
    authorize(action, obj)
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

