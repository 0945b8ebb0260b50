from datetime import timedelta

from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import KEY, Form, enum_field, options, stripped, to_id
from ..models import Audience

SECTION_LIMIT = 20000
LONGEST = timedelta(days=365)


def text(value) -> str:
    """Stripped text; a field the request did not send is empty text, never None."""
    return stripped(value) or ""


def section(label: str) -> TextAreaField:
    return TextAreaField(label, filters=[text], validators=[Length(max=SECTION_LIMIT, message=f"最多 {SECTION_LIMIT} 字")],
                         render_kw={"rows": 6})


class CircularForm(Form):
    """Every part of a circular the office edits before issuing."""

    title = TextAreaField("标题", filters=[text], render_kw={"rows": 2},
                          validators=[DataRequired("请填写标题"), Length(max=120, message="标题最多 120 字")])
    addressee = StringField("主送机关", filters=[text], validators=[Length(max=100, message="最多 100 字")])
    opening = section("开头语")
    basics = section("一、基本情况")
    achievements = section("二、主要成效")
    problems = section("三、存在问题")
    requirements = section("四、整改要求")
    deadline = DateField("整改期限", validators=[InputRequired("请填写整改期限（年-月-日）")])
    attachment_title = StringField("附件标题", filters=[text], validators=[Length(max=100, message="最多 100 字")])
    cc = StringField("抄送", filters=[text], validators=[Length(max=100, message="最多 100 字")])
    audience = enum_field("发送范围", Audience, validators=[InputRequired("请选择发送范围")])
    create_items = BooleanField("印发时按整改要求为各校生成（或关联）整改事项")

    FIELDS = ("title", "addressee", "opening", "basics", "achievements", "problems", "requirements", "deadline",
              "attachment_title", "cc", "audience", "create_items")

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_deadline(self, field):
        if self.today and field.data and field.data < self.today and field.data != field.object_data:
            raise ValidationError("整改期限不能早于今天")
        if self.today and field.data and field.data > self.today + LONGEST:
            raise ValidationError("整改期限不能超过一年")

    def copy_to(self, document) -> list[str]:
        """Copy the fields onto the document; the labels of those that changed."""
        changed = []
        for name in self.FIELDS:
            value = self[name].data
            if name == "audience" and value is None:
                continue
            if getattr(document, name) != value:
                setattr(document, name, value)
                changed.append(self[name].label.text)
        return changed


class KeyForm(Form):
    """A button's form: CSRF and a one-time key (a second tap finds what the first made)."""

    key = HiddenField(validators=[Optional(), KEY])


class IssueForm(KeyForm):
    """印发, as confirmed: the draft's fingerprint then, and for a round that already has a circular,
    the office's word that a second one (not a correction) is meant."""

    revision = HiddenField(validators=[DataRequired("请从确认页面印发")])
    another = BooleanField("本批次已印发通报，仍要另行印发一份新的通报（不是更正）")


class RemindForm(Form):
    school = HiddenField(filters=[to_id])


class BatchForm(KeyForm):
    kind = RadioField("文书", choices=options([("opinion", "督导意见书"), ("rectification", "整改通知书")]),
                      default="opinion", validators=[DataRequired("请选择文书")])
