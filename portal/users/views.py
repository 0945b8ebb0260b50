from flask import Blueprint, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.passwords import hash_password
from ..extensions import db
from ..forms import inline_check
from ..htmx import render, see_other
from ..models import AuditLog, User
from ..security import Action, authorize, load
from . import queries
from .forms import PasswordResetForm, UserFilterForm, UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
def index():
    authorize(Action.MANAGE)
    filters = UserFilterForm(request.args)
    filters.validate()
    stmt = queries.filtered(filters.q.data, filters.role.data, filters.status.data)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("users/index.html", "results", filters=filters, page=page)


@bp.route("/new", methods=["GET", "POST"])
def create():
    authorize(Action.MANAGE)
    form = UserForm()
    user = User()
    if inline_check(form):
        return render("users/form.html", "form", form=form, user=user, reset=None, history=[])
    if form.validate_on_submit():
        form.populate_obj(user)
        user.password_hash = hash_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        flash(f"用户 {user.username} 已创建。", "success")
        return see_other(url_for("users.index"))
    return render("users/form.html", "form", form=form, user=user, reset=None, history=[],
                  status=422 if form.errors else 200)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit(user_id: int):
    user = load(User, user_id, Action.MANAGE)
    form = UserForm(user=user)
    history = db.session.scalars(select(AuditLog).where(AuditLog.entity == "user", AuditLog.entity_id == str(user.id))
                                 .order_by(AuditLog.id.desc()).limit(20)).all()
    context = dict(form=form, user=user, reset=PasswordResetForm(formdata=None), history=history)
    if inline_check(form):
        return render("users/form.html", "form", **context)
    if form.validate_on_submit():
        form.populate_obj(user)
        db.session.commit()
        flash(f"用户 {user.username} 已保存。", "success")
        return see_other(url_for("users.index"))
    return render("users/form.html", "form", status=422 if form.errors else 200, **context)


@bp.post("/<int:user_id>/password")
def reset_password(user_id: int):
    user = load(User, user_id, Action.MANAGE)
    reset = PasswordResetForm()
    if not reset.validate_on_submit():
        form = UserForm(user=user, formdata=None)
        return render("users/form.html", "reset", status=422, form=form, user=user, reset=reset, history=[])
    user.password_hash = hash_password(reset.password.data)
    user.session_version += 1  # signs the user out everywhere
    db.session.commit()
    flash(f"已为 {user.display_name} 设置新密码，请当面或电话告知本人，并提醒其登录后修改。", "success")
    return see_other(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/active")
def toggle_active(user_id: int):
    user = load(User, user_id, Action.MANAGE)
    if user.id == current_user.id:
        flash("不能停用您自己的账号。", "error")
        return see_other(url_for("users.edit", user_id=user.id))
    user.active = not user.active
    if not user.active:
        user.session_version += 1
    db.session.commit()
    flash(f"用户 {user.username} 已{'启用' if user.active else '停用'}。", "success")
    return see_other(url_for("users.edit", user_id=user.id))
