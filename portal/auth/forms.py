from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import Form
from .passwords import MIN_LENGTH


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("在这台设备上保持登录（共用电脑请勿勾选）")

    @classmethod
    def resuming(cls, username: str) -> "LoginForm":
        """The form as a page's 重新登录 dialog shows it (static/js/session.js): for the user who was
        signed in there, so only the password is asked (and what waits there stays theirs)."""
        form = cls(data={"username": username[:40]})
        if username:
            form.username.render_kw = {**form.username.render_kw, "readonly": True}
            form.password.render_kw = {**form.password.render_kw, "autofocus": True}
        return form


class PasswordChangeForm(Form):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码"), Length(min=MIN_LENGTH, max=200, message=f"密码至少 {MIN_LENGTH} 位")],
    )
    confirm = PasswordField("再次输入新密码", validators=[EqualTo("new", "两次输入的新密码不一致")])
