from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, SearchField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.passwords import MIN_LENGTH
from ..extensions import db
from ..forms import enum_field, options
from ..models import Role, School, User

PASSWORD_RULE = Length(min=MIN_LENGTH, max=200, message=f"密码至少 {MIN_LENGTH} 位")


def school_options(blank: str | None = None):
    rows = db.session.execute(select(School.id, School.name).where(School.active).order_by(School.code)).all()
    pairs = ([("", blank)] if blank is not None else []) + [(str(i), name) for i, name in rows]
    return options(pairs)


def optional_int(value):
    return int(value) if value not in ("", None) else None


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField("搜索", validators=[Optional(), Length(max=40)], render_kw={"placeholder": "用户名、姓名或电话"})
    role = enum_field("角色", Role, blank="全部角色", validators=[Optional()])
    status = SelectField("状态", choices=options([("", "在用"), ("inactive", "已停用"), ("all", "全部")]),
                         validators=[Optional()])


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[
        DataRequired("请填写用户名"), Length(min=3, max=40, message="3 到 40 个字符"),
        Regexp(r"^[A-Za-z0-9._-]+$", message="只能包含字母、数字和 . _ -")])
    display_name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=40, message="最多 40 个字")])
    phone = StringField("电话", validators=[Optional(), Length(max=20), Regexp(r"^[0-9+-]+$", message="只能包含数字、+ 和 -")])
    role = enum_field("角色", Role, validators=[DataRequired("请选择角色")])
    school_id = SelectField("所在学校（校长必填）", coerce=optional_int)
    schools = SelectMultipleField("责任区学校（督学）", coerce=int, validators=[Optional()],
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码"), PASSWORD_RULE])

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, obj=user, **kwargs)
        self._user = user
        self.school_id.choices = school_options(blank="（无）")
        self.schools.choices = school_options()
        if user is not None:
            del self.password  # set through 重置密码
            if not self.is_submitted():
                self.schools.data = [s.id for s in user.schools]

    def validate_username(self, field):
        stmt = select(User.id).where(func.lower(User.username) == (field.data or "").strip().lower())
        if self._user is not None:
            stmt = stmt.where(User.id != self._user.id)
        if db.session.scalar(stmt) is not None:
            raise ValidationError("该用户名已被使用")

    def validate_school_id(self, field):
        if self.role.data is Role.PRINCIPAL and not field.data:
            raise ValidationError("校长必须指定所在学校")

    def populate_obj(self, user: User) -> None:
        user.username = self.username.data.strip()
        user.display_name = self.display_name.data.strip()
        user.phone = (self.phone.data or "").strip()
        user.role = self.role.data
        user.school_id = self.school_id.data if user.role is Role.PRINCIPAL else None
        chosen = self.schools.data if user.role is Role.INSPECTOR else []
        user.schools = db.session.scalars(select(School).where(School.id.in_(chosen or []))).all()


class PasswordResetForm(FlaskForm):
    password = PasswordField("新的临时密码", validators=[DataRequired("请填写新密码"), PASSWORD_RULE])
