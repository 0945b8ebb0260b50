from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from ..errors import handle_csrf
from ..extensions import db
from ..htmx import is_htmx, render, see_other, trigger
from ..models import log_event
from ..security import Action, authorize, public
from . import passwords, signin, throttle, two_factor
from .forms import CodeForm, LoginForm, PasswordChangeForm
from ..next_url import safe_next

bp = Blueprint("auth", __name__)


def _refused(template: str, form, field, attempt: signin.Attempt, message: str, **context):
    """The answer to a refused attempt: 429 with how long to wait, or 422 with `message` beside `field`."""
    if attempt.wait:
        wait = f"尝试次数过多，请 {attempt.wait} 秒后再试。"
        field.errors.append(wait)
        response = render(template, form=form, status=429, **context)
        response.headers["Retry-After"] = str(attempt.wait)
        # A boosted form does not swap a 429: the message comes as the toast every htmx error shows.
        return trigger(response, "app-error", {"message": wait, "status": 429}) if is_htmx() else response
    field.errors.append(message)
    return render(template, form=form, status=422, **context)


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    """The sign-in page's token is no longer the session's: the session was replaced after the page
    was opened (signed out in another tab, or an answer to another request from this browser began
    a new one). The form comes back with a fresh token and the username kept; only the password is
    typed again (it is never sent back). Any other form here is answered as anywhere."""
    if request.endpoint != "auth.login" or current_user.is_authenticated:
        return handle_csrf(error)
    form = LoginForm.resuming(request.args.get("username", ""))  # filled from what was posted
    form.password.errors = ["登录页已过期，请再输入一次密码后登录。"]
    return render("auth/login.html", form=form, status=422)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("dashboard.index"))
    form = LoginForm.resuming(request.args.get("username", ""))
    if not form.validate_on_submit():
        return render("auth/login.html", form=form, status=422 if form.is_submitted() else 200)
    address = throttle.client_address()
    attempt = signin.check_password(form.username.data, form.password.data, address)
    if attempt.user is None:
        return _refused("auth/login.html", form, form.password, attempt, "用户名或密码不正确。")
    if two_factor.asked_of(attempt.user):
        two_factor.hold(attempt.user, form.remember.data, next_url)
        return redirect(url_for("auth.second_step"), 303)
    signin.begin_session(attempt.user, form.remember.data, address)
    db.session.commit()
    return redirect(next_url or url_for("dashboard.index"), 303)


def _pending_or_restart():
    """The sign-in waiting for its second step, or (None, a redirect to start again)."""
    waiting = two_factor.pending()
    if waiting is None:
        flash("登录已超时，请重新输入用户名和密码。", "info")
        return None, redirect(url_for("auth.login"))
    return waiting, None


@bp.route("/login/code", methods=["GET", "POST"])
@public
def second_step():
    waiting, restart = _pending_or_restart()
    if restart:
        return restart
    if not two_factor.enrolled(waiting.user):
        return redirect(url_for("auth.enrol_at_sign_in"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render("auth/second_step.html", form=form, status=422 if form.is_submitted() else 200)
    address = throttle.client_address()
    attempt = signin.check_code(waiting.user, form.code.data, address)
    if attempt.user is None:
        return _refused("auth/second_step.html", form, form.code, attempt, "验证码不正确或已经用过。")
    signin.begin_session(waiting.user, waiting.remember, address, second_factor=attempt.kind)
    db.session.commit()
    if attempt.kind == "recovery":
        flash(f"您用了一个恢复码，还剩 {two_factor.recovery_codes_left(current_user)} 个。", "info")
    return redirect(waiting.next_url or url_for("dashboard.index"), 303)


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def enrol_at_sign_in():
    """An admin or leader without a second factor, where it is required: enrol, then signed in."""
    waiting, restart = _pending_or_restart()
    if restart:
        return restart
    if two_factor.enrolled(waiting.user):
        return redirect(url_for("auth.second_step"))

    def signed_in():
        signin.begin_session(waiting.user, waiting.remember, throttle.client_address(), second_factor="enrolled")

    return _enrol(waiting.user, signed_in, waiting.next_url or url_for("dashboard.index"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor_account():
    authorize(Action.SECOND_FACTOR)
    if not two_factor.enrolled(current_user):
        return _enrol(current_user, lambda: None, url_for("auth.two_factor_account"))
    return render("auth/two_factor.html", form=CodeForm(formdata=None),
                  left=two_factor.recovery_codes_left(current_user))


@bp.post("/account/two-factor/codes")
def new_recovery_codes():
    """New recovery codes (the old ones end), for a current code: someone at an unlocked screen cannot."""
    authorize(Action.SECOND_FACTOR)
    if not two_factor.enrolled(current_user):
        return see_other(url_for("auth.two_factor_account"))
    form, left = CodeForm(), two_factor.recovery_codes_left(current_user)
    if not form.validate_on_submit():
        return render("auth/two_factor.html", form=form, left=left, status=422)
    attempt = signin.check_code(current_user._get_current_object(), form.code.data, throttle.client_address())
    if attempt.user is None:
        return _refused("auth/two_factor.html", form, form.code, attempt, "验证码不正确或已经用过。", left=left)
    codes = two_factor.new_recovery_codes(current_user)
    log_event("user", current_user.id, "mfa_codes", school_id=current_user.school_id)
    db.session.commit()
    return render("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.two_factor_account"))


def _enrol(user, done, next_url: str):
    """Enrolment: the QR code of a new secret, confirmed by a code from the app. The recovery codes
    are shown once, in the answer itself (never in a URL or the session), so no redirect here."""
    form = CodeForm()
    secret = two_factor.candidate_secret()
    if form.validate_on_submit():
        codes = two_factor.enrol(user, secret, form.code.data)
        if codes is not None:
            done()
            log_event("user", user.id, "mfa_enrol", school_id=user.school_id)
            db.session.commit()
            return render("auth/recovery_codes.html", codes=codes, next_url=next_url)
        form.code.errors.append("验证码不正确：请确认手机时间准确，再输入应用里当前显示的 6 位数字。")
    return render("auth/enrol.html", form=form, qr=two_factor.qr_code(user, secret), secret=secret,
                  status=422 if form.is_submitted() else 200)


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        # The cookies already handed out stay valid until the version they carry changes.
        current_user.end_sessions()
        log_event("user", current_user.id, "logout", school_id=current_user.school_id)
        db.session.commit()
    logout_user()
    session.clear()
    flash("您已退出登录，此账号在其他设备上的登录也已结束。", "info")
    return redirect(url_for("auth.login"), 303)


@bp.get("/account/resumed")
def resumed():
    """Where signing in again from inside a page lands (static/js/session.js): it hands that page the
    new session's CSRF token, and says who signed in, so that what waited there can be sent."""
    authorize(Action.ACCOUNT)
    return render("auth/resumed.html")


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    authorize(Action.ACCOUNT)
    form = PasswordChangeForm()
    if form.validate_on_submit():
        stored = current_user.password_hash
        db.session.commit()  # no lock held while hashing twice (see signin.py)
        if not passwords.check(stored, form.current.data)[0]:
            form.current.errors.append("当前密码不正确。")
        else:
            current_user.password_hash = passwords.hash_password(form.new.data)
            current_user.end_sessions()
            log_event("user", current_user.id, "password", school_id=current_user.school_id)
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session, end the others
            flash("密码已修改，其他设备上的登录已失效。", "success")
            return see_other(url_for("dashboard.index"))
    return render("auth/password.html", form=form, status=422 if form.errors else 200)
