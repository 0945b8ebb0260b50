from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, SearchField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..extensions import db
from ..forms import Form, enum_field, options, workbook_field
from ..models import Ownership, School, SchoolKind


def distinct_values(column) -> list[str]:
    return [v for v in db.session.scalars(select(column).distinct().order_by(column)) if v]


class SchoolFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField("搜索", validators=[Optional(), Length(max=40)], render_kw={"placeholder": "学校名称、代码或乡镇"})
    kind = enum_field("类型", SchoolKind, blank="全部类型", validators=[Optional()])
    group = SelectField("教育集团", validators=[Optional()])
    township = SelectField("乡镇", validators=[Optional()])
    project = SelectField("公办强校", choices=options([("", "全部"), ("1", "项目学校"), ("0", "非项目学校")]), validators=[Optional()])
    status = SelectField("状态", choices=options([("", "在册"), ("inactive", "已停用"), ("all", "全部")]), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = options([("", "全部集团")] + [(g, g) for g in distinct_values(School.education_group)])
        self.township.choices = options([("", "全部乡镇")] + [(t, t) for t in distinct_values(School.township)])


class SchoolForm(Form):
    code = StringField(
        "学校代码",
        validators=[DataRequired("请填写学校代码"), Length(max=20, message="最多 20 个字符"),
                    Regexp(r"^[0-9A-Za-z-]+$", message="只能包含数字、字母和连字符")],
    )
    name = StringField("学校名称", validators=[DataRequired("请填写学校名称"), Length(max=80, message="最多 80 个字")])
    kind = enum_field("学校类型", SchoolKind, validators=[DataRequired("请选择学校类型")])
    ownership = enum_field("办学性质", Ownership, validators=[DataRequired("请选择办学性质")])
    township = StringField("所在乡镇（街道）", validators=[Optional(), Length(max=40, message="最多 40 个字")])
    education_group = StringField("教育集团", validators=[Optional(), Length(max=40, message="最多 40 个字")])
    is_project_school = BooleanField("公办强校项目学校")
    students = IntegerField("在校学生数", default=0, validators=[Optional(), NumberRange(0, 20000, "请填写 0 到 20000 之间的整数")])
    classes = IntegerField("班级数", default=0, validators=[Optional(), NumberRange(0, 500, "请填写 0 到 500 之间的整数")])
    teachers = IntegerField("专任教师数", default=0, validators=[Optional(), NumberRange(0, 2000, "请填写 0 到 2000 之间的整数")])
    active = BooleanField("在册（取消勾选即停用，历史记录保留）", default=True)

    def __init__(self, *args, school: School | None = None, **kwargs):
        super().__init__(*args, obj=school, **kwargs)
        self._school = school

    def _taken(self, column, value) -> bool:
        stmt = select(School.id).where(func.lower(column) == value.strip().lower())
        if self._school is not None:
            stmt = stmt.where(School.id != self._school.id)
        return db.session.scalar(stmt) is not None

    def validate_code(self, field):
        if field.data and self._taken(School.code, field.data):
            raise ValidationError("该学校代码已被使用")

    def validate_name(self, field):
        if field.data and self._taken(School.name, field.data):
            raise ValidationError("已有同名学校")

    def populate_obj(self, obj):
        super().populate_obj(obj)
        obj.code, obj.name = obj.code.strip(), obj.name.strip()
        obj.township = (obj.township or "").strip()
        obj.education_group = (obj.education_group or "").strip()
        for number in ("students", "classes", "teachers"):
            setattr(obj, number, getattr(obj, number) or 0)


class RosterImportForm(Form):
    file = workbook_field("学校名单（Excel .xlsx）")
