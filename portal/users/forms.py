from flask_login import current_user
from sqlalchemy import func, select
from wtforms import HiddenField, PasswordField, SearchField, SelectField, StringField, TelField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from ..auth.passwords import MIN_LENGTH, hash_password
from ..extensions import db
from ..forms import CheckboxList, Form, enum_field, options, stripped, to_id
from ..models import Role, School, User
from ..security import Action, allowed

PASSWORD_RULE = Length(min=MIN_LENGTH, max=200, message=f"密码至少 {MIN_LENGTH} 位")
AT_A_SCHOOL = (Role.PRINCIPAL, Role.STAFF)  # roles that belong to one school (the user's school_id)
ZONE_LIMIT = 20  # a 责任区 has at most 20 schools
NO_SUCH_SCHOOL = "所选学校不存在或已停用"


SCHOOL_COLUMNS = select(School.id, School.name, School.active)  # a select's worth, not whole rows


def school_choices(schools, blank: str | None = None):
    pairs = [(str(s.id), s.name if s.active else f"{s.name}（已停用）") for s in schools]
    return options(([("", blank)] if blank is not None else []) + pairs)


class UserFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField("搜索", validators=[Optional(), Length(max=40)], render_kw={"placeholder": "用户名、姓名或电话"})
    role = enum_field("角色", Role, blank="全部角色", validators=[Optional()])
    school = SelectField("学校", coerce=to_id, validators=[Optional()])
    status = SelectField("状态", choices=options([("", "在用"), ("inactive", "已停用"), ("all", "全部")]),
                         validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not allowed(current_user, Action.MANAGE):  # a principal's list: their school's 中层 only
            del self.role, self.school
            return
        schools = db.session.execute(SCHOOL_COLUMNS.order_by(School.active.desc(), School.code))
        self.school.choices = school_choices(schools, blank="全部学校")


class UserForm(Form):
    username = StringField("用户名", filters=[stripped], render_kw={"autocomplete": "off"}, validators=[
        DataRequired("请填写用户名"), Length(min=3, max=40, message="3 到 40 个字符"),
        Regexp(r"^[A-Za-z0-9._-]+$", message="只能包含字母、数字和 . _ -")])
    display_name = StringField("姓名", filters=[stripped], validators=[
        DataRequired("请填写姓名"), Length(max=40, message="最多 40 个字")])
    phone = TelField("电话", filters=[stripped], validators=[
        Optional(), Length(max=20, message="最多 20 个字符"), Regexp(r"^[0-9-]+$", message="只能包含数字和 -")])
    role = enum_field("角色", Role, validators=[DataRequired("请选择角色")])
    school_id = SelectField("所在学校（校长、学校中层必填）", coerce=to_id, invalid_choice_message=NO_SUCH_SCHOOL)
    school_ids = CheckboxList("责任区学校（仅督学）", coerce=to_id, invalid_choice_message=NO_SUCH_SCHOOL,
                              description=f"只对督学有效，最多 {ZONE_LIMIT} 所；其他角色保存时清空")
    # new-password: browsers must not fill in the admin's own saved password here
    password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码"), PASSWORD_RULE],
                             render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, user: User | None = None, **kwargs):
        zone = list(user.schools) if user is not None else []
        super().__init__(*args, obj=user, school_ids=[s.id for s in zone], **kwargs)
        self._user = user
        active = db.session.execute(SCHOOL_COLUMNS.where(School.active).order_by(School.code)).all()
        # A school deactivated since it was assigned stays visible, so saving never drops it unseen.
        own = [user.school] if user is not None and user.school and not user.school.active else []
        self.school_id.choices = school_choices(active + own, blank="（无）")
        self.school_ids.choices = school_choices(active + [s for s in zone if not s.active])
        if user is not None:
            del self.password  # changed through 重置密码

    def validate_username(self, field):
        stmt = select(User.id).where(func.lower(User.username) == field.data.lower())
        if self._user is not None:
            stmt = stmt.where(User.id != self._user.id)
        if db.session.scalar(stmt) is not None:
            raise ValidationError("该用户名已被使用")

    def validate_role(self, field):
        if self._user is not None and self._user.id == current_user.id and field.data is not Role.ADMIN:
            raise ValidationError("不能取消您自己的管理员角色")

    def validate_school_id(self, field):
        if self.role.data not in AT_A_SCHOOL or field.errors:  # errors: not one of the choices
            return
        if field.data is None:
            raise ValidationError(f"{self.role.data.value}必须指定所在学校")
        if not db.session.get(School, field.data).active:
            raise ValidationError("该学校已停用，请另选学校")

    def validate_school_ids(self, field):
        if self.role.data is Role.INSPECTOR and len(field.data) > ZONE_LIMIT:
            raise ValidationError(f"责任区最多 {ZONE_LIMIT} 所学校")

    def populate_obj(self, user: User) -> None:
        role = self.role.data
        zone = self.school_ids.data if role is Role.INSPECTOR else []
        # Loaded before any change: an autoflush midway would split the audit entry in two.
        user.schools = db.session.scalars(select(School).where(School.id.in_(zone))).all() if zone else []
        self.fill_details(user)
        user.role = role
        user.school_id = self.school_id.data if role in AT_A_SCHOOL else None

    def fill_details(self, user: User) -> None:
        """The account's own details, whoever keeps it: name, phone and (a new one) the first password."""
        user.username = self.username.data
        user.display_name = self.display_name.data
        user.phone = self.phone.data or ""
        if self.password is not None:
            user.password_hash = hash_password(self.password.data)


class StaffForm(UserForm):
    """A 中层 account as the school's principal keeps it: the role and the school are given, not chosen."""

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_school_id = school_id
        del self.role, self.school_id, self.school_ids

    def populate_obj(self, user: User) -> None:
        self.fill_details(user)
        user.role, user.school_id = Role.STAFF, self.staff_school_id


def account_form(editor, user: User | None = None, **kwargs) -> UserForm:
    """The office chooses any account's role and school; a principal keeps their school's 中层 only."""
    if allowed(editor, Action.MANAGE):
        return UserForm(user=user, **kwargs)
    return StaffForm(user=user, school_id=editor.school_id, **kwargs)


class PasswordResetForm(Form):
    password = PasswordField("新的临时密码", validators=[DataRequired("请填写新密码"), PASSWORD_RULE],
                             render_kw={"autocomplete": "new-password"})


class ActiveForm(Form):
    """停用 / 启用: the state wanted, not a toggle, so a double tap does not undo itself."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])
