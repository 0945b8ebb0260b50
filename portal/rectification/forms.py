from datetime import timedelta

from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import DateField, HiddenField, RadioField, SearchField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..extensions import db
from ..forms import Form, PhotoLocation, enum_field, options, stripped, to_id
from ..models import Priority, RectificationStatus, Role, Round, User
from ..security import Action
from ..supervision.forms import KEY, schools_for
from ..users.forms import school_choices
from .overdue import DUE_SOON_DAYS

TEXT_LIMIT = 2000
LONGEST = timedelta(days=730)  # a due date further off than two years is a typing mistake


def text_field(label: str, required: str) -> TextAreaField:
    return TextAreaField(label, filters=[stripped], validators=[
        DataRequired(required), Length(max=TEXT_LIMIT, message=f"最多 {TEXT_LIMIT} 字")])


def verifiers() -> list[tuple[str, str]]:
    """Who may be named to verify: active inspectors and the office."""
    rows = db.session.execute(select(User.id, User.display_name).where(
        User.role.in_([Role.INSPECTOR, Role.ADMIN]), User.active).order_by(User.role.desc(), User.username))
    return [(str(user_id), name) for user_id, name in rows]


class ItemForm(Form):
    """An item as the inspector writes or corrects it. `school` only when adding one freely."""

    school = SelectField("学校", coerce=to_id, validators=[InputRequired("请选择学校")])
    problem = text_field("存在问题", "请写明存在的问题")
    requirement = text_field("整改要求", "请写明整改要求")
    due_date = DateField("整改期限", validators=[InputRequired("请填写整改期限（年-月-日）")])
    priority = enum_field("优先级", Priority, validators=[InputRequired("请选择优先级")])
    inspector = SelectField("验收督学", coerce=to_id, validators=[InputRequired("请选择验收督学")])
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])

    def __init__(self, user, today, *args, with_school: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if with_school:
            self.school.choices = school_choices(schools_for(user, Action.INSPECT), blank="请选择学校")
        else:
            del self.school
        self.inspector.choices = options([("", "请选择验收督学")] + verifiers())

    FIELDS = {"problem": "problem", "requirement": "requirement", "due_date": "due_date", "priority": "priority",
              "inspector": "inspector_id"}

    def copy_to(self, item) -> list[str]:
        """Copy the fields onto the item; the labels of those that changed."""
        changed = []
        for name, attribute in self.FIELDS.items():
            if getattr(item, attribute) != self[name].data:
                setattr(item, attribute, self[name].data)
                changed.append(self[name].label.text)
        return changed

    def validate_due_date(self, field):
        if field.data and field.data < self.today and field.object_data != field.data:
            raise ValidationError("整改期限不能早于今天")
        if field.data and field.data > self.today + LONGEST:
            raise ValidationError("整改期限不能超过两年")


class FindingForm(Form):
    """「生成整改事项」: the button's one-time key (optional: without it the finding still counts once)."""

    key = HiddenField(validators=[Optional(), KEY])


class ReportForm(Form):
    """The school's report (整改报告); evidence files are uploaded one by one beforehand."""

    report = text_field("整改情况", "请写明采取了哪些整改措施、达到了什么效果")
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])


class FileForm(PhotoLocation):
    class Meta:
        csrf = False  # sent with the X-CSRFToken header (or the page's token), checked by CSRFProtect

    file = FileField("佐证材料", validators=[FileRequired("请选择照片或文件")])
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])


class VerifyForm(Form):
    decision = RadioField("验收结果", choices=options([("close", "整改到位，销号"), ("return", "未整改到位，退回")]),
                          validators=[InputRequired("请选择验收结果")])
    comment = TextAreaField("验收意见", filters=[stripped],
                            validators=[Length(max=TEXT_LIMIT, message=f"最多 {TEXT_LIMIT} 字")])
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])

    def validate_comment(self, field):
        if self.decision.data == "return" and not field.data:
            raise ValidationError("退回时请写明还需整改的地方")


TIMING = [("", "全部"), ("pending", "待学校整改"), ("overdue", "已逾期"), ("due_soon", f"{DUE_SOON_DAYS} 天内到期")]


class FilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField("搜索", validators=[Optional(), Length(max=40)], render_kw={"placeholder": "问题、要求或学校"})
    school = SelectField("学校", coerce=to_id, validators=[Optional()])
    status = enum_field("状态", RectificationStatus, blank="全部状态", validators=[Optional()])
    timing = SelectField("期限", choices=options(TIMING), validators=[Optional()])
    inspector = SelectField("验收督学", coerce=to_id, validators=[Optional()])
    round = SelectField("督导批次", coerce=to_id, validators=[Optional()])
    start = DateField("期限起", validators=[Optional()])
    end = DateField("期限止", validators=[Optional()])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.school.choices = school_choices(schools_for(user, Action.VIEW, active_only=False), blank="全部学校")
        self.inspector.choices = options([("", "全部督学")] + verifiers())
        self.round.choices = options([("", "全部批次")] + [(str(r.id), r.name) for r in db.session.scalars(
            select(Round).order_by(Round.starts_on.desc(), Round.id.desc()))])
