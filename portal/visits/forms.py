from datetime import timedelta

from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..forms import CheckboxList, Form, KEY, options, stripped, to_id
from ..models import RectificationItem, RectificationStatus, Role, User, inspector_school
from ..rectification.forms import TEXT_LIMIT, text_field
from ..security import Action
from ..supervision.forms import schools_for
from ..users.forms import school_choices
from .duties import DUTIES

LATE_ENTRY = timedelta(days=90)  # a visit entered later than this is a typing mistake in the date


class VisitForm(Form):
    """A visit as the 责任督学 records it on the tablet. `school` and (for the office) `inspector` only
    when recording a new one."""

    school = SelectField("学校", coerce=to_id, validators=[InputRequired("请选择学校")])
    inspector = SelectField("责任督学", coerce=to_id, validators=[InputRequired("请选择责任督学")])
    visited_on = DateField("走访日期", validators=[InputRequired("请填写走访日期（年-月-日）")])
    checked = CheckboxList("督导事项", choices=options(DUTIES.items()),
                           validators=[DataRequired("请至少选择一项本次督导的事项")])
    findings = text_field("发现情况", "请写明走访发现的情况（没有问题也请写明）")
    suggestions = TextAreaField("意见建议", filters=[stripped], validators=[
        Length(max=TEXT_LIMIT, message=f"最多 {TEXT_LIMIT} 字")])
    rectification = SelectField("关联整改事项", coerce=to_id, validators=[Optional()])
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])

    FIELDS = {"visited_on": "visited_on", "checked": "checked", "findings": "findings", "suggestions": "suggestions",
              "rectification": "rectification_id"}

    def __init__(self, user, today, *args, school_id: int | None = None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if school_id is None:
            self.school.choices = school_choices(schools_for(user, Action.INSPECT), blank="请选择学校")
            school_id = self.school.data
        else:
            del self.school
        if school_id is None or user.role is not Role.ADMIN:
            del self.inspector  # an inspector records their own visits
        else:
            self.inspector.choices = options([("", "请选择责任督学")] + responsible(school_id))
        self.rectification.choices = options([("", "不关联")] + open_items(school_id, current))

    def validate_visited_on(self, field):
        if field.data and field.data > self.today:
            raise ValidationError("走访日期不能晚于今天")
        if field.data and field.data < self.today - LATE_ENTRY and field.object_data != field.data:
            raise ValidationError("只能补录 90 天内的走访")

    def copy_to(self, visit) -> list[str]:
        """Copy the fields onto the visit; the labels of those that changed."""
        changed = []
        for name, attribute in self.FIELDS.items():
            value = self[name].data
            if name == "checked":
                value = [duty for duty in DUTIES if duty in value]  # the list's order, each once
            if getattr(visit, attribute) != value:
                setattr(visit, attribute, value)
                changed.append(self[name].label.text)
        return changed


def responsible(school_id: int) -> list[tuple[str, str]]:
    """The school's 责任督学, for the office recording a visit on their behalf."""
    rows = db.session.execute(select(User.id, User.display_name).join(inspector_school, inspector_school.c.user_id == User.id)
                              .where(inspector_school.c.school_id == school_id, User.active).order_by(User.username))
    return [(str(user_id), name) for user_id, name in rows]


def open_items(school_id: int | None, current: int | None) -> list[tuple[str, str]]:
    """The school's rectification items not yet closed (and the one linked now), to link a visit to."""
    if not school_id:
        return []
    rows = db.session.execute(select(RectificationItem.id, RectificationItem.problem).where(
        RectificationItem.school_id == school_id,
        or_(RectificationItem.status != RectificationStatus.CLOSED, RectificationItem.id == current))
        .order_by(RectificationItem.id.desc()))
    return [(str(item_id), f"#{item_id} {problem[:40]}") for item_id, problem in rows]


class PortraitForm(Form):
    file = FileField("照片", validators=[FileRequired("请选择一张照片")], render_kw={"accept": "image/*"})
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])


class TargetForm(Form):
    """The office's 走访频次: visits a 责任督学 owes each school per semester."""

    per_semester = IntegerField("每所学校每学期走访（次）", validators=[
        InputRequired("请填写次数"), NumberRange(1, 30, "请填写 1 到 30 之间的整数")])
