import re
from decimal import Decimal

from sqlalchemy import func, select
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation,
                                ValidationError)

from ..extensions import db
from ..forms import CheckboxList, Form, enum_field, options, stripped, to_id, workbook_field
from ..models import AnswerType, ChecklistTemplate, EvidenceRule, SchoolKind, TemplateKind, TemplateVersion


MAX_POINTS = Decimal(100)


def check_points(value: Decimal) -> None:
    """An item's maximum (Numeric(6, 2)): more than 0, at most 100, at most two decimals."""
    if value <= 0 or value > MAX_POINTS:
        raise ValueError(f"分值须大于 0 且不超过 {MAX_POINTS}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("分值最多保留两位小数")


def points_text(value) -> str:
    """5.00 -> "5", 2.50 -> "2.5": points as a person writes them."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class PointsField(DecimalField):
    """A number typed by a person: digits and one point; the messages in Chinese."""

    def _value(self):
        return self.raw_data[0] if self.raw_data else points_text(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]+)?", text):
            raise ValueError("请填写数字，如 5 或 2.5")
        self.data = Decimal(text)

    def pre_validate(self, form):
        if self.process_errors:
            return
        if self.data is None:
            raise StopValidation("请填写分值")
        try:
            check_points(self.data)
        except ValueError as error:
            raise StopValidation(str(error)) from None


TEXT_RULE = Length(max=500, message="最多 500 个字")
STANDARD_RULE = Length(max=1000, message="最多 1000 个字")
TITLE_RULE = Length(max=120, message="最多 120 个字")
NAME_RULE = Length(max=80, message="最多 80 个字")


def kinds_field(label: str) -> CheckboxList:
    """Kinds of school, ticked: their names travel, the Chinese labels show."""
    return CheckboxList(label, choices=options([(kind.name, kind.value) for kind in SchoolKind]))


class KindsForm(Form):
    school_kinds = kinds_field("适用学校类型（都不勾选：适用于所有类型）")


class TemplateForm(KindsForm):
    kind = HiddenField(default=TemplateKind.CHECKLIST.name,
                       validators=[AnyOf([kind.name for kind in TemplateKind], message="无效的模板类型")])
    name = StringField("模板名称", filters=[stripped], validators=[DataRequired("请填写模板名称"), NAME_RULE])
    description = TextAreaField("说明", filters=[stripped],
                                validators=[Optional(), Length(max=500, message="最多 500 个字")])

    def validate_name(self, field):
        if name_taken(field.data):
            raise ValidationError("已有同名模板")


def name_taken(name: str) -> bool:
    return db.session.scalar(
        select(ChecklistTemplate.id).where(func.lower(ChecklistTemplate.name) == name.strip().lower())) is not None


class SectionForm(Form):
    title = StringField("一级指标", filters=[stripped], validators=[DataRequired("请填写一级指标名称"), TITLE_RULE],
                        render_kw={"placeholder": "如：教学管理"})

    def __init__(self, *args, version: TemplateVersion, section=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._version, self._section = version, section

    def validate_title(self, field):
        if any(s.title == field.data and s is not self._section for s in self._version.sections):
            raise ValidationError("本版本已有同名的一级指标")


class ItemForm(Form):
    text = TextAreaField("评估要点（二级指标）", filters=[stripped],
                         validators=[DataRequired("请填写评估要点"), TEXT_RULE], render_kw={"rows": 2})
    standard = TextAreaField("评分标准", filters=[stripped], validators=[Optional(), STANDARD_RULE],
                             render_kw={"rows": 2})
    answer_type = enum_field("答题方式", AnswerType, validators=[DataRequired("请选择答题方式")])
    max_points = PointsField("分值", render_kw={"inputmode": "decimal"})
    evidence = enum_field("佐证要求", EvidenceRule, validators=[DataRequired("请选择佐证要求")])
    na_allowed = BooleanField("可不适用（N/A）")
    critical = BooleanField("一票否决 ★")
    na_kinds = kinds_field("对以下类型的学校不适用（不作答、不计分）")

    def populate_obj(self, item) -> None:
        super().populate_obj(item)
        item.standard = item.standard or ""
        item.na_kinds = list(self.na_kinds.data or [])


BAND_NAMES = ("优秀", "良好", "合格")


class PercentField(IntegerField):
    """A whole percentage; anything else is answered in Chinese, not WTForms' English."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not re.fullmatch(r"[0-9]{1,3}", text):
            raise ValueError("请填写 0 到 100 之间的整数")
        self.data = int(text)


PERCENT_RULES = [InputRequired("请填写"), NumberRange(0, 100, "请填写 0 到 100 之间的整数")]


class BandsForm(Form):
    """The three thresholds (percent of the applicable maximum), highest first, named as the version
    names them (优秀/良好/合格, or a rubric's 优/良/中); and the name of the result below the last."""

    excellent = PercentField("优秀（得分率 ≥ %）", validators=PERCENT_RULES, render_kw={"inputmode": "numeric"})
    good = PercentField("良好（得分率 ≥ %）", validators=PERCENT_RULES, render_kw={"inputmode": "numeric"})
    passing = PercentField("合格（得分率 ≥ %）", validators=PERCENT_RULES, render_kw={"inputmode": "numeric"})
    below = StringField("最低等级名称", filters=[stripped], validators=[Optional(), Length(max=20, message="最多 20 个字")])

    def __init__(self, *args, bands: list | None = None, below: str | None = None, **kwargs):
        if bands is not None and "formdata" in kwargs and kwargs["formdata"] is None:
            kwargs.update(zip(("excellent", "good", "passing"), (b[0] for b in bands)))
            kwargs["below"] = below
        super().__init__(*args, **kwargs)
        self.names = [b[1] for b in bands] if bands else list(BAND_NAMES)
        for field, name in zip((self.excellent, self.good, self.passing), self.names):
            field.label.text = f"{name}（得分率 ≥ %）"
        self.below.label.text = f"低于{self.names[-1]}线的等级名称"

    def validate_good(self, field):
        if field.data is not None and self.excellent.data is not None and field.data >= self.excellent.data:
            raise ValidationError(f"须低于{self.names[0]}线")

    def validate_passing(self, field):
        if field.data is not None and self.good.data is not None and field.data >= self.good.data:
            raise ValidationError(f"须低于{self.names[1]}线")

    @property
    def bands(self) -> list:
        return [[self.excellent.data, self.names[0]], [self.good.data, self.names[1]], [self.passing.data, self.names[2]]]


def check_bands(bands: list) -> list[str]:
    """Problems with a [[percent, name], ...] list (the workbook's 结果等级 sheet)."""
    thresholds = [b[0] for b in bands]
    found = []
    if [b[1] for b in bands] != list(BAND_NAMES):
        found.append(f"等级须依次为：{'、'.join(BAND_NAMES)}")
    if any(not isinstance(t, int) or not 0 <= t <= 100 for t in thresholds):
        found.append("最低得分率须为 0 到 100 之间的整数")
    elif any(a <= b for a, b in zip(thresholds, thresholds[1:])):
        found.append("最低得分率须从优秀到合格依次降低")
    return found


class MoveForm(Form):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class ImportForm(Form):
    template = SelectField("导入到", coerce=to_id, validate_choice=False)
    name = StringField("新模板名称", filters=[stripped], validators=[NAME_RULE])  # required for a new template: see below
    file = workbook_field("检查表（Excel .xlsx）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {t.id: t for t in db.session.scalars(select(ChecklistTemplate).order_by(ChecklistTemplate.name))}
        self.template.choices = options([("", "新建模板（填写下面的名称）")] + [(str(i), t.name) for i, t in self.templates.items()])

    @property
    def target(self) -> ChecklistTemplate | None:
        return self.templates.get(self.template.data)

    def validate_template(self, field):
        if field.data is not None and field.data not in self.templates:
            raise ValidationError("所选模板不存在")
        target = self.templates.get(field.data)
        draft = next((v for v in target.versions if v.frozen is False), None) if target else None
        if draft is not None:
            raise ValidationError(f"该模板已有草稿（第 {draft.number} 版）。请在草稿中编辑，或删除草稿后再导入")

    def validate_name(self, field):
        if self.template.data is not None:
            return
        if not field.data:
            raise ValidationError("导入为新模板时请填写模板名称")
        if name_taken(field.data):
            raise ValidationError("已有同名模板，请换一个名称，或在上面选择该模板导入为新版本")
