from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user

from .. import audit
from ..auth import two_factor
from ..auth.passwords import hash_password
from ..extensions import db
from ..forms import inline_check
from ..htmx import render, see_other
from ..models import User, log_event
from ..queries import audit_trail
from ..security import Action, authorize, can_manage_account, load, load_by
from . import queries
from .forms import ActiveForm, PasswordResetForm, UserFilterForm, UserForm, account_form

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
def index():
    authorize(Action.ACCOUNTS)
    filters = UserFilterForm(request.args)
    filters.validate()
    page = db.paginate(queries.from_form(filters), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("users/index.html", "results", filters=filters, page=page)


@bp.route("/new", methods=["GET", "POST"])
def create():
    authorize(Action.ACCOUNTS)
    return _save(account_form(current_user), User(), "用户 {} 已创建，请把初始密码告知本人。")


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit(user_id: int):
    user = load_by(can_manage_account, User, user_id)
    return _save(account_form(current_user, user), user, "用户 {} 已保存。")


def _save(form: UserForm, user: User, message: str):
    """Shared tail of create and edit: inline check, validate, save, answer."""
    if inline_check(form):
        return _page(user, form=form)
    if form.validate_on_submit():
        form.populate_obj(user)
        db.session.add(user)
        db.session.commit()
        flash(message.format(user.username), "success")
        return see_other(url_for("users.edit", user_id=user.id))
    return _page(user, form=form, status=422 if form.errors else 200)


@bp.post("/<int:user_id>/password")
def reset_password(user_id: int):
    user = load_by(can_manage_account, User, user_id)
    reset = PasswordResetForm()
    if not reset.validate_on_submit():
        return _page(user, "reset", reset=reset, status=422)
    user.password_hash = hash_password(reset.password.data)
    user.end_sessions()
    db.session.commit()
    flash(f"已为 {user.display_name} 设置新密码，请当面或电话告知本人，并提醒其登录后修改。", "success")
    return see_other(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/two-factor/reset")
def reset_two_factor(user_id: int):
    """A lost phone: the user enrols again at the next sign-in (or from their account); signed out everywhere."""
    user = load(User, user_id, Action.MANAGE)  # the CSRF token is checked for every POST (CSRFProtect)
    two_factor.reset(user)
    log_event("user", user.id, "mfa_reset", school_id=user.school_id)
    db.session.commit()
    flash(f"已重置 {user.display_name} 的两步验证：其已登录的设备都已退出，下次登录时需重新绑定。", "success")
    return see_other(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/active")
def toggle_active(user_id: int):
    user = load_by(can_manage_account, User, user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = form.active.data == "1"
    if user.id == current_user.id and not wanted:
        flash("不能停用您自己的账号。", "error")
        return see_other(url_for("users.edit", user_id=user.id))
    if wanted != user.active:
        user.active = wanted
        if not wanted:
            user.end_sessions()
        db.session.commit()
    flash(f"用户 {user.username} 已{'启用' if wanted else '停用'}。", "success")
    return see_other(url_for("users.edit", user_id=user.id))


def _page(user: User, block: str = "form", status: int = 200, form: UserForm | None = None,
          reset: PasswordResetForm | None = None):
    """The user's page (details form, password reset, change history), or one block of it."""
    return render(
        "users/form.html", block, status=status, user=user,
        form=form if form is not None else account_form(current_user, user, formdata=None),
        reset=reset if reset is not None else PasswordResetForm(formdata=None),
        history=audit.history(db.session.scalars(audit_trail(user))) if user.id else [],
        second_factor=user.id is not None and two_factor.offered(user),
    )
