from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import (BooleanField, DateField, HiddenField, RadioField, SearchField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..clock import today
from ..extensions import db
from ..forms import KEY, AutosaveForm, CheckboxList, Form, PhotoLocation, enum_field, options, stripped, to_id
from ..models import (AnswerType, ChecklistTemplate, InspectionStatus, Item, Role, RoundMode, School, TemplateKind,
                      TemplateVersion, User, VersionStatus)
from ..security import Action, school_ids
from ..teams import roster
from ..teams.forms import validate_members
from ..users.forms import school_choices
from . import scoring

NOTE_LIMIT = 2000


def current_versions(kind: TemplateKind = TemplateKind.CHECKLIST) -> list[TemplateVersion]:
    """Each template's newest published version: what a new inspection (or, for RUBRIC, a new
    observation) is started on."""
    versions = db.session.scalars(
        select(TemplateVersion).join(TemplateVersion.template)
        .where(TemplateVersion.status == VersionStatus.PUBLISHED, ChecklistTemplate.kind == kind)
        .order_by(ChecklistTemplate.name, TemplateVersion.number.desc())
    ).all()
    newest = {}
    for version in versions:
        newest.setdefault(version.template_id, version)
    return list(newest.values())


def schools_for(user, action: Action, active_only: bool = True):
    ids = school_ids(user, action)
    stmt = select(School).order_by(School.education_group, School.code)
    if active_only:
        stmt = stmt.where(School.active)
    if ids is not None:
        stmt = stmt.where(School.id.in_(ids))
    return db.session.scalars(stmt).all()


class StartForm(Form):
    school = SelectField("学校", coerce=to_id, validators=[InputRequired("请选择学校")])
    version = SelectField("检查表", coerce=to_id, validators=[InputRequired("请选择检查表")])
    visit_date = DateField("检查日期", validators=[InputRequired("请填写检查日期")])
    members = CheckboxList("督导组组员（可选，您为组长）", coerce=to_id, validate_choice=False)
    key = HiddenField(validators=[DataRequired(), KEY])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.people = [u for u in roster.inspectors() if u.id != user.id]
        self.members.choices = options([(str(u.id), u.display_name) for u in self.people])
        self.schools = {s.id: s for s in schools_for(user, Action.INSPECT)}
        self.versions = {v.id: v for v in current_versions()}
        self.school.choices = school_choices(self.schools.values(), blank="请选择学校")
        self.version.choices = options(
            [("", "请选择检查表")]
            + [(str(v.id), f"{v.template.name}（第 {v.number} 版）") for v in self.versions.values()])

    def validate_version(self, field):
        school, version = self.schools.get(self.school.data), self.versions.get(field.data)
        if school is not None and version is not None and not version.template.fits(school.kind):
            raise ValidationError(f"该检查表不适用于{school.kind.value}，请选择适用的检查表")

    def validate_visit_date(self, field):
        if field.data and not date(2000, 1, 1) <= field.data <= today() + timedelta(days=60):
            raise ValidationError("检查日期不在合理范围内")

    def validate_members(self, field):
        validate_members(field, {u.id for u in self.people}, self.user.id)


class AnswerForm(AutosaveForm):
    """One item's answer, as the filling page sends it on every change."""

    # No value is None however it comes (an empty field, a queued change restored after a reload): never ''.
    value = StringField(filters=[stripped, lambda value: value or None], validators=[Optional(), Length(max=20)])
    na = BooleanField()
    note = TextAreaField(validators=[Length(max=NOTE_LIMIT, message=f"说明最多 {NOTE_LIMIT} 字")])

    def __init__(self, item: Item, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item

    def validate_value(self, field):
        if not field.data:
            field.data = None
            return
        if self.item.answer_type is AnswerType.POINTS:
            try:
                points = Decimal(field.data)
            except InvalidOperation:
                raise ValidationError("请填写数字分值") from None
            if not points.is_finite() or points < 0 or points > self.item.max_points:
                raise ValidationError(f"分值应在 0 到 {self.item.max_points.normalize():f} 之间")
            if points.as_tuple().exponent < -1:
                raise ValidationError("分值最多保留一位小数")
            field.data = f"{points.normalize():f}"
        elif field.data not in scoring.choices(self.item.answer_type):
            raise ValidationError("无效的选项")

    def validate_na(self, field):
        if field.data and not self.item.na_allowed:
            raise ValidationError("此项不可选“不适用”")


class PhotoForm(PhotoLocation):
    class Meta:
        csrf = False  # sent with the X-CSRFToken header (or the page form's token), checked by CSRFProtect

    photo = FileField(validators=[FileRequired("请选择照片")])
    key = StringField(validators=[DataRequired(), KEY])


class ReviewForm(Form):
    decision = RadioField("审核结果", choices=options([("approve", "通过"), ("return", "退回修改")]),
                          validators=[InputRequired("请选择审核结果")])
    comment = TextAreaField("审核意见", filters=[stripped],
                            validators=[Length(max=NOTE_LIMIT, message=f"最多 {NOTE_LIMIT} 字")])

    def validate_comment(self, field):
        if self.decision.data == "return" and not field.data:
            raise ValidationError("退回时请写明需要修改的地方")


class InspectionFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField("搜索", validators=[Optional(), Length(max=40)], render_kw={"placeholder": "学校名称或代码"})
    template = SelectField("检查表", coerce=to_id, validators=[Optional()])
    mode = enum_field("督导方式", RoundMode, blank="全部方式", validators=[Optional()])
    inspector = SelectField("督学", coerce=to_id, validators=[Optional()])
    status = enum_field("状态", InspectionStatus, blank="全部状态", validators=[Optional()])
    start = DateField("起始日期", validators=[Optional()])
    end = DateField("截止日期", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = db.session.execute(select(ChecklistTemplate.id, ChecklistTemplate.name)
                                       .where(ChecklistTemplate.kind == TemplateKind.CHECKLIST).order_by(ChecklistTemplate.name))
        self.template.choices = options([("", "全部检查表")] + [(str(t.id), t.name) for t in templates])
        inspectors = db.session.execute(
            select(User.id, User.display_name).where(User.role.in_([Role.INSPECTOR, Role.ADMIN])).order_by(User.username))
        self.inspector.choices = options([("", "全部督学")] + [(str(u.id), u.display_name) for u in inspectors])
