from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from ..extensions import db
from ..htmx import render, see_other
from ..models import User, log_event
from ..security import Action, authorize, public
from . import throttle
from .forms import LoginForm, PasswordChangeForm
from .next_url import safe_next
from .passwords import burn_time, hash_password, verify_and_upgrade

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("dashboard.index"))
    form = LoginForm.resuming(request.args.get("username", ""))
    if not form.validate_on_submit():
        return render("auth/login.html", form=form, status=422 if form.is_submitted() else 200)
    name, address = form.username.data.strip(), request.remote_addr or "?"
    if throttle.is_locked(name, address):
        form.username.errors.append("登录失败次数过多，请 15 分钟后再试，或联系督导室重置密码。")
        return render("auth/login.html", form=form, status=429)
    user = db.session.scalar(select(User).where(func.lower(User.username) == name.lower()))
    if user is None:
        burn_time(form.password.data)
    if user is None or not user.active or not verify_and_upgrade(user, form.password.data):
        throttle.record_failure(name, address)
        db.session.commit()
        form.password.errors.append("用户名或密码不正确。")
        return render("auth/login.html", form=form, status=422)
    throttle.clear(name, address)
    session.clear()
    session.permanent = not form.remember.data
    login_user(user, remember=form.remember.data)
    log_event("user", user.id, "login", school_id=user.school_id, address=address)
    db.session.commit()
    return redirect(next_url or url_for("dashboard.index"), 303)


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        log_event("user", current_user.id, "logout", school_id=current_user.school_id)
        db.session.commit()
    logout_user()
    session.clear()
    flash("您已退出登录。", "info")
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
        if not verify_and_upgrade(current_user, form.current.data):
            form.current.errors.append("当前密码不正确。")
        else:
            current_user.password_hash = hash_password(form.new.data)
            current_user.session_version += 1
            log_event("user", current_user.id, "password", school_id=current_user.school_id)
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session, end the others
            flash("密码已修改，其他设备上的登录已失效。", "success")
            return see_other(url_for("dashboard.index"))
    return render("auth/password.html", form=form, status=422 if form.errors else 200)
