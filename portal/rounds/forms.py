from datetime import date, timedelta

from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..forms import CheckboxList, Form, enum_field, options, stripped, to_id
from ..models import Role, Round, RoundKind, RoundMode, School, SchoolKind, User
from ..schools.forms import distinct_values
from ..supervision.forms import current_versions
from ..teams.forms import validate_members


class RoundForm(Form):
    name = StringField("批次名称", filters=[stripped],
                       validators=[DataRequired("请填写批次名称"), Length(max=100, message="最多 100 个字")])
    kind = enum_field("督导类型", RoundKind, validators=[DataRequired("请选择督导类型")])
    mode = enum_field("督导方式", RoundMode, validators=[DataRequired("请选择督导方式")])
    version = SelectField("检查表", coerce=to_id, validators=[InputRequired("请选择检查表")])
    starts_on = DateField("开始日期", validators=[InputRequired("请填写开始日期")])
    ends_on = DateField("截止日期", validators=[InputRequired("请填写截止日期")])
    notes = TextAreaField("说明", filters=[stripped], validators=[Optional(), Length(max=2000)])

    school_kinds = CheckboxList("学校类型（都不勾选：全部类型）",
                                choices=options([(kind.name, kind.value) for kind in SchoolKind]))
    skip_teaching_points = BooleanField("不列入教学点", default=True)
    min_students = IntegerField("最少在校生（人）", validators=[
        Optional(), NumberRange(1, 10000, "请填写 1 到 10000 之间的整数，或留空")])
    group = SelectField("教育集团", validators=[Optional()])
    township = SelectField("乡镇", validators=[Optional()])
    project = BooleanField("只含公办强校项目学校")
    school_mode = RadioField("学校", choices=options([("picked", "指定学校"), ("random", "随机抽取")]), default="picked",
                             validators=[InputRequired()])
    schools = CheckboxList("指定的学校", coerce=to_id, validate_choice=False)
    school_count = IntegerField("抽取学校数", validators=[Optional(), NumberRange(1, 500, "请填写 1 到 500 之间的整数")])

    inspectors = CheckboxList("督学", coerce=to_id, validate_choice=False)
    inspector_mode = RadioField("派出督学", choices=options([("assigned", "按顺序分配"), ("random", "随机抽取")]),
                                default="assigned", validators=[InputRequired()])
    exclude_own_zone = BooleanField("随机抽取时不派往本人责任区的学校", default=True)
    team = CheckboxList("督导组组员（可选）", coerce=to_id, validate_choice=False)
    key = HiddenField(validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.versions = {v.id: v for v in current_versions()}
        self.version.choices = options([("", "请选择检查表")] + [
            (str(v.id), f"{v.template.name}（第 {v.number} 版）") for v in self.versions.values()])
        self.group.choices = options([("", "全部集团")] + [(g, g) for g in distinct_values(School.education_group)])
        self.township.choices = options([("", "全部乡镇")] + [(t, t) for t in distinct_values(School.township)])
        self.inspector_choices = db.session.scalars(
            db.select(User).where(User.role == Role.INSPECTOR, User.active).order_by(User.display_name)).all()
        self.inspectors.choices = options([(str(u.id), u.display_name) for u in self.inspector_choices])
        self.team.choices = self.inspectors.choices

    def validate_version(self, field):
        if field.data not in self.versions:
            raise ValidationError("请选择一份已发布的检查表")

    def validate_ends_on(self, field):
        start = self.starts_on.data
        if start and field.data and field.data < start:
            raise ValidationError("截止日期不能早于开始日期")
        if field.data and not date(2000, 1, 1) <= field.data <= date.today() + timedelta(days=730):
            raise ValidationError("截止日期不在合理范围内")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.school_mode.data == "random" and not self.school_count.data and not self.school_count.errors:
            self.school_count.errors = [*self.school_count.errors, "请填写要抽取的学校数"]  # Optional() stops its own chain
            return False
        return valid

    def validate_schools(self, field):
        if self.school_mode.data == "picked" and not field.data:
            raise ValidationError("请至少选择一所学校")

    def validate_inspectors(self, field):
        chosen = set(field.data or [])
        if not chosen:
            raise ValidationError("请至少选择一名督学")
        if not chosen <= {u.id for u in self.inspector_choices}:
            raise ValidationError("所选督学不在可选范围内")

    def validate_team(self, field):
        validate_members(field, {u.id for u in self.inspector_choices}, None)

    def chosen_inspectors(self) -> list[User]:
        chosen = set(self.inspectors.data)
        return [u for u in self.inspector_choices if u.id in chosen]

    def filters(self) -> dict:
        """The candidate schools' filters and exclusions, as planning.candidates takes them (a filter
        that did not validate narrows nothing, so a preview still lists schools)."""
        chosen = self.versions.get(self.version.data)
        return dict(kinds=tuple(k for k in self.school_kinds.data or () if k in SchoolKind.__members__),
                    group=self.group.data or "", township=self.township.data or "", project=self.project.data,
                    template=chosen.template if chosen else None, skip_teaching_points=self.skip_teaching_points.data,
                    min_students=self.min_students.data if not self.min_students.errors else None)

    def new_round(self, created_by_id: int) -> Round:
        return Round(name=self.name.data, kind=self.kind.data, mode=self.mode.data, version_id=self.version.data,
                     starts_on=self.starts_on.data, ends_on=self.ends_on.data, notes=self.notes.data or "",
                     client_key=self.key.data, created_by_id=created_by_id)


class RoundFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter

    mode = enum_field("督导方式", RoundMode, blank="全部方式", validators=[Optional()])
