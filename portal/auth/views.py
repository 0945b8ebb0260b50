from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import db
from ..htmx import render, see_other
from ..models import log_event
from ..security import Action, authorize, public
from . import passwords, signin, throttle
from .forms import LoginForm, PasswordChangeForm
from .next_url import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("dashboard.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render("auth/login.html", form=form, status=422 if form.is_submitted() else 200)
    address = throttle.client_address()
    attempt = signin.check_password(form.username.data, form.password.data, address)
    if attempt.wait:
        form.username.errors.append(f"尝试次数过多，请 {attempt.wait} 秒后再试。")
        response = render("auth/login.html", form=form, status=429)
        response.headers["Retry-After"] = str(attempt.wait)
        return response
    if attempt.user is None:
        form.password.errors.append("用户名或密码不正确。")
        return render("auth/login.html", form=form, status=422)
    signin.begin_session(attempt.user, form.remember.data, address)
    return redirect(next_url or url_for("dashboard.index"), 303)


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
