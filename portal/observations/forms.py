from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from wtforms import (DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from .. import clock
from ..extensions import db
from ..forms import KEY, AutosaveForm, Form, enum_field, options, stripped, to_id
from ..models import FeedbackWay, Observation, Role, User
from .queries import OBSERVERS
from ..security import Action
from ..supervision.forms import schools_for
from ..users.forms import school_choices
from . import grading, recording, rubric

TEXT_LIMIT = 2000
PERIOD = [Optional(), NumberRange(1, 12, "节次应在 1 到 12 之间")]


def reasonable(day: date | None) -> None:
    if day and not date(2000, 1, 1) <= day <= clock.today() + timedelta(days=1):
        raise ValidationError("日期不在合理范围内")


class ChooseSchoolForm(Form):
    """Step one of 开始听课: which school (a GET form; the next step shows its classes)."""

    class Meta:
        csrf = False

    school = SelectField("学校", coerce=to_id, validators=[Optional()])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.school.choices = school_choices(schools_for(user, Action.OBSERVE), blank="请选择学校")


class StartForm(Form):
    school = HiddenField(validators=[InputRequired("请选择学校")], filters=[to_id])
    version = SelectField("评价表", coerce=to_id, validators=[InputRequired("请选择评价表")])
    school_class = SelectField("班级", coerce=to_id, validators=[Optional()])
    period = IntegerField("第几节", validators=PERIOD, render_kw={"inputmode": "numeric", "min": 1, "max": 12})
    key = HiddenField(validators=[DataRequired(), KEY])
    draw = SubmitField("随机抽班并开始")
    begin = SubmitField("开始听课")

    def __init__(self, user, school, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_row = school
        self.classes = {c.id: c for c in recording.classes_of(school.id)}
        self.versions = {v.id: v for v in rubric.current()}
        self.version.choices = options([(str(i), f"{v.template.name}（第 {v.number} 版）") for i, v in self.versions.items()])
        self.school_class.choices = options([("", "不指定（稍后填写）")] + [(str(i), c.label) for i, c in self.classes.items()])

    def validate_school(self, field):
        if field.data != self.school_row.id:
            raise ValidationError("学校不一致，请重新选择")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.draw.data and not self.classes:  # Optional() ends the field's own validators when empty
            self.school_class.errors = [*self.school_class.errors, "该校还没有录入班级，不能随机抽班；请直接开始听课"]
            return False
        return valid

    @property
    def chosen_class(self):
        return None if self.draw.data else self.classes.get(self.school_class.data)


class RecordForm(AutosaveForm):
    """The record's own fields, as the filling page sends them on every change (one autosave unit)."""

    teacher_name = StringField("授课教师", filters=[stripped], validators=[Length(max=40, message="最多 40 个字")])
    subject = StringField("学科", filters=[stripped], validators=[Length(max=20, message="最多 20 个字")])
    class_id = SelectField("班级", coerce=to_id, validators=[Optional()], validate_choice=False)
    class_label = StringField("年级班级", filters=[stripped], validators=[Length(max=40, message="最多 40 个字")])
    topic = StringField("课题", filters=[stripped], validators=[Length(max=120, message="最多 120 个字")])
    period = IntegerField("第几节", validators=PERIOD, render_kw={"inputmode": "numeric", "min": 1, "max": 12})
    observed_on = DateField("听课日期", validators=[InputRequired("请填写听课日期")])
    strengths = TextAreaField("亮点", filters=[stripped], validators=[Length(max=TEXT_LIMIT, message=f"最多 {TEXT_LIMIT} 字")])
    problems = TextAreaField("问题", filters=[stripped], validators=[Length(max=TEXT_LIMIT, message=f"最多 {TEXT_LIMIT} 字")])
    suggestions = TextAreaField("建议", filters=[stripped], validators=[Length(max=TEXT_LIMIT, message=f"最多 {TEXT_LIMIT} 字")])

    def __init__(self, observation: Observation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = {c.id: c for c in recording.classes_of(observation.school_id)}
        self.class_id.choices = options([("", "请选择班级")] + [(str(i), c.label) for i, c in self.classes.items()])

    def validate_class_id(self, field):
        if field.data is not None and field.data not in self.classes:
            raise ValidationError("不是本校的班级")

    def validate_observed_on(self, field):
        reasonable(field.data)

    @property
    def values(self) -> dict:
        """The fields to store; a class picked from the list names itself."""
        values = {name: getattr(self, name).data for name in recording.FIELDS}
        values = {name: "" if value is None and name not in ("class_id", "period") else value
                  for name, value in values.items()}
        if values["class_id"] is not None:
            values["class_label"] = self.classes[values["class_id"]].label
        return values

    @property
    def first_error(self) -> str | None:
        fields = [name for name in self.errors if name not in ("revision", "key")]
        return f"{self[fields[0]].label.text}：{self.errors[fields[0]][0]}" if fields else super().first_error


class ScoreForm(AutosaveForm):
    """One dimension's points (a tapped chip)."""

    value = StringField(filters=[stripped], validators=[Optional(), Length(max=10)])

    def __init__(self, max_points: Decimal, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = max_points

    def validate_value(self, field):
        if not field.data:
            field.data = None
            return
        try:
            points = Decimal(field.data)
        except InvalidOperation:
            raise ValidationError("请填写数字分值") from None
        problem = grading.check(points, self.max_points)
        if problem:
            raise ValidationError(problem)
        field.data = points


class LogForm(Form):
    class Meta:
        csrf = False  # sent with the X-CSRFToken header or the page's token field

    kind = StringField(validators=[DataRequired("请选择记录内容")])
    key = StringField(validators=[DataRequired(), KEY])
    # Sent by a tap kept offline: how long ago (ms) it was tapped, by the tablet's own clock, so the
    # line keeps its moment without trusting the tablet's time of day.
    age = IntegerField(validators=[Optional(), NumberRange(0, 12 * 3600 * 1000)])

    def validate_kind(self, field):
        if field.data not in recording.LOG_KINDS:
            raise ValidationError("无效的记录内容")


class FeedbackForm(Form):
    feedback_way = enum_field("反馈方式", FeedbackWay, blank="请选择", validators=[InputRequired("请选择反馈方式")])
    feedback_on = DateField("反馈日期", validators=[InputRequired("请填写反馈日期")])
    feedback_note = TextAreaField("反馈情况", filters=[stripped],
                                  validators=[Length(max=TEXT_LIMIT, message=f"最多 {TEXT_LIMIT} 字")],
                                  render_kw={"rows": 3, "placeholder": "反馈了什么，教师的回应"})

    def validate_feedback_way(self, field):
        if field.data is None:
            raise ValidationError("请选择反馈方式")

    def validate_feedback_on(self, field):
        reasonable(field.data)


class QuotaForm(Form):
    leader = IntegerField("领导每学期听课（节）", validators=[InputRequired("请填写"), NumberRange(0, 500, "0 到 500 之间")])
    inspector = IntegerField("督学每学期听课（节）", validators=[InputRequired("请填写"), NumberRange(0, 500, "0 到 500 之间")])
    principal = IntegerField("校长每学期听课（节）", validators=[InputRequired("请填写"), NumberRange(0, 500, "0 到 500 之间")])
    staff = IntegerField("学校中层每学期听课（节）", validators=[InputRequired("请填写"), NumberRange(0, 500, "0 到 500 之间")])

    ROLES = {"leader": Role.LEADER, "inspector": Role.INSPECTOR, "principal": Role.PRINCIPAL, "staff": Role.STAFF}


class FilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    semester = SelectField("学期", validators=[Optional()])
    span = SelectField("统计范围", choices=options([("", "本学期"), ("year", "所在学年"), ("calendar", "所在自然年")]),
                       validators=[Optional()])
    school = SelectField("学校", coerce=to_id, validators=[Optional()])
    observer = SelectField("听课人", coerce=to_id, validators=[Optional()])
    subject = StringField("学科", filters=[stripped], validators=[Optional(), Length(max=20)])
    grade_level = StringField("年级", filters=[stripped], validators=[Optional(), Length(max=20)],
                              render_kw={"placeholder": "如：七年级"})
    grade = SelectField("等级", validators=[Optional()])
    start = DateField("起始日期", validators=[Optional()])
    end = DateField("截止日期", validators=[Optional()])

    def __init__(self, user, *args, all_semesters: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_semesters = all_semesters
        recent = clock.recent_semesters(clock.today())
        self.semester.choices = options(([("", "全部学期")] if all_semesters else [])
                                        + [(s.code, s.name) for s in recent])
        self.school.choices = school_choices(schools_for(user, Action.LESSONS, active_only=False), blank="全部学校")
        observers = db.session.execute(select(User.id, User.display_name).where(
            User.role.in_([*OBSERVERS, Role.ADMIN])).order_by(User.role, User.username))
        self.observer.choices = options([("", "全部听课人")] + [(str(u.id), u.display_name) for u in observers])
        names = []
        for version in rubric.current():
            names += [name for _, name in version.bands] + [version.below_band]
        self.grade.choices = options([("", "全部等级")] + [(n, n) for n in dict.fromkeys(names)])

    @property
    def chosen_semester(self):
        """The semester asked for; none given: every semester, or (counts) the current one."""
        return clock.parse_semester(self.semester.data) or (None if self.all_semesters else clock.semester(clock.today()))

    @property
    def chosen_period(self) -> clock.Period | None:
        """The days counted: the chosen semester, or its school year or calendar year (统计范围)."""
        term = self.chosen_semester
        return clock.period(term, "" if "span" in self.errors else self.span.data or "") if term else None
