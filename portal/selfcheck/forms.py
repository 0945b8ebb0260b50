from datetime import timedelta

from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from ..clock import today
from ..extensions import db
from ..forms import KEY, Form, options, to_id
from ..models import School, SelfCheck, User
from ..supervision.forms import current_versions
from ..users.forms import school_choices

LATEST_DUE = timedelta(days=366)


class DueForm(Form):
    """The date a self-check is to be handed in by: from today, within a year."""

    due_on = DateField("上报截止日期", validators=[InputRequired("请填写上报截止日期")])

    def validate_due_on(self, field):
        if field.data is None:  # not a date: the field has said so
            return
        if field.data < today():
            raise ValidationError("截止日期不能早于今天")
        if field.data > today() + LATEST_DUE:
            raise ValidationError("截止日期不能晚于一年以后")


class AskRoundForm(DueForm):
    """A round asks its schools."""


class AskSchoolForm(DueForm):
    """The office asks one school, on a checklist it chooses."""

    school = SelectField("学校", coerce=to_id, validators=[InputRequired("请选择学校")])
    version = SelectField("检查表", coerce=to_id, validators=[InputRequired("请选择检查表")])
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = db.session.scalars(select(School).where(School.active).order_by(School.education_group, School.code))
        self.school.choices = school_choices(schools, blank="请选择学校")
        self.version.choices = options([("", "请选择检查表")] + [
            (str(v.id), f"{v.template.name}（第 {v.number} 版）") for v in current_versions()])


def nameable(check: SelfCheck) -> list[User]:
    """Who may be named to fill it: the active users of its school not named yet."""
    named = {member.id for member in check.members}
    users = db.session.scalars(select(User).where(User.school_id == check.school_id, User.active)
                               .order_by(User.display_name)).all()
    return [user for user in users if user.id not in named]


class MemberForm(Form):
    user = SelectField("学校人员", coerce=to_id, validators=[InputRequired("请选择要参与自查的人员")])

    def __init__(self, check: SelfCheck, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = options([("", "请选择人员")] + [(str(u.id), f"{u.display_name}（{u.role.value}）")
                                                       for u in nameable(check)])
