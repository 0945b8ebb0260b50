from decimal import Decimal

from wtforms import BooleanField, DecimalField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..forms import Form, options, workbook_field
from .indicators import INDICATORS, JUNIOR, PRIMARY

# The largest figure a part may report, per raw figure (a typing slip beyond these, not a school).
LIMITS = {"students": 20000, "qualified_teachers": 5000, "backbone_teachers": 5000, "pe_arts_teachers": 5000,
          "teaching_area": Decimal(10_000_000), "sports_area": Decimal(10_000_000),
          "equipment_value": Decimal(10_000_000_000), "media_classrooms": 5000}
FIELDS = ("students", *(indicator.key for indicator in INDICATORS))
LABELS = {"students": "在校学生数（人）", **{i.key: f"{i.figure}（{i.figure_unit}）" for i in INDICATORS}}
WHOLE = {"students", *(i.key for i in INDICATORS if i.whole)}


def _range(name: str) -> NumberRange:
    low = 1 if name == "students" else 0
    return NumberRange(low, LIMITS[name], f"请填写 {low} 到 {LIMITS[name]} 之间的数")


def _field(name: str):
    required = InputRequired("请填写（没有就填 0）" if name != "students" else "请填写在校学生数")
    if name in WHOLE:
        return IntegerField(LABELS[name], validators=[required, _range(name)], render_kw={"inputmode": "numeric"})
    return DecimalField(LABELS[name], places=2, validators=[required, _range(name)], render_kw={"inputmode": "decimal"})


class FiguresForm(Form):
    """One part's raw figures for a year (the what-if preview posts the same form). Its fields,
    one per raw figure, are added below from FIELDS."""

    def copy_to(self, row) -> None:
        for name, value in self.figures.items():
            setattr(row, name, value)

    @property
    def figures(self) -> dict:
        """As stored: areas and money to the cent (the audit log shows 9000.00, not 9000)."""
        return {name: self[name].data if name in WHOLE else self[name].data.quantize(Decimal("0.01")) for name in FIELDS}


for _name in FIELDS:
    setattr(FiguresForm, _name, _field(_name))


def _goal(label: str, limit: str) -> DecimalField:
    return DecimalField(label, places=3, validators=[Optional(), NumberRange(
        Decimal("0.05"), Decimal(limit), f"留空或填写 0.05 到 {limit} 之间的数")])


class RulesForm(Form):
    """The office's settings: the 85 % rule and the county's own 差异系数 goals."""

    remaining_rule = BooleanField("第 7 项（未达标的一项）须不低于标准值的一定比例")
    remaining_share = DecimalField("比例", places=2, validators=[InputRequired("请填写比例"), NumberRange(
        Decimal("0.50"), Decimal("1.00"), "请填写 0.50 到 1.00 之间的数")])
    goal_primary = _goal(f"{PRIMARY.value}差异系数县定目标（不高于）", "0.50")
    goal_junior = _goal(f"{JUNIOR.value}差异系数县定目标（不高于）", "0.45")


class ImportForm(Form):
    year = SelectField("统计年度", coerce=int, validators=[InputRequired("请选择年度")])
    file = workbook_field("资源配置表（Excel .xlsx）")

    def __init__(self, years: list[int], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = options([(y, f"{y} 年度") for y in years])
