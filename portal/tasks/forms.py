from datetime import date, timedelta

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import excel
from ..forms import KEY, CheckboxList, Form, enum_field, options, stripped, to_id
from ..models import School, SchoolKind, TaskKind
from ..schools.forms import distinct_values
from ..schools.queries import filtered
from . import questions, table

LONGEST = timedelta(days=365)  # a deadline further off than a year is a typing mistake
REQUIRED_KEY = [DataRequired("缺少请求标识，请刷新页面"), KEY]


class TaskForm(Form):
    title = StringField("报送事项", filters=[stripped],
                        validators=[DataRequired("请填写报送事项"), Length(max=120, message="最多 120 个字")])
    instructions = TextAreaField("要求说明", filters=[stripped], validators=[Optional(), Length(max=2000, message="最多 2000 字")])
    kind = RadioField("报送方式", choices=options([(k.name, k.value) for k in TaskKind]), default=TaskKind.FILE.name,
                      validators=[InputRequired("请选择报送方式")])
    due_date = DateField("截止日期", validators=[InputRequired("请填写截止日期（年-月-日）")])
    question_text = TextAreaField("表单问题", filters=[stripped], validators=[Length(max=4000, message="最多 4000 字")],
                                  render_kw={"rows": 5, "placeholder": "本学期开展家长会次数｜数字\n是否完成自查｜是/否\n自查中发现的主要问题"})
    template = FileField("表格模板（.xlsx）", render_kw={"accept": ".xlsx"})

    school_kind = enum_field("学校类型", SchoolKind, blank="全部类型", validators=[Optional()])
    group = SelectField("教育集团", validators=[Optional()])
    township = SelectField("乡镇", validators=[Optional()])
    project = BooleanField("只含公办强校项目学校")
    school_mode = RadioField("发给", choices=options([("all", "符合条件的全部学校"), ("picked", "勾选的学校")]),
                             default="all", validators=[InputRequired()])
    schools = CheckboxList("勾选的学校", coerce=to_id, validate_choice=False)
    key = HiddenField(validators=REQUIRED_KEY)

    def __init__(self, today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.group.choices = options([("", "全部集团")] + [(g, g) for g in distinct_values(School.education_group)])
        self.township.choices = options([("", "全部乡镇")] + [(t, t) for t in distinct_values(School.township)])
        self.parsed_questions: list[dict] = []
        self.headers: list[str] = []
        self.template_data = b""

    @property
    def chosen_kind(self) -> TaskKind | None:
        return TaskKind.__members__.get(self.kind.data or "")

    def candidates(self):
        """The active schools the filters leave (the school list's own query)."""
        return filtered(kind=self.school_kind.data, group=self.group.data or "", township=self.township.data or "",
                        project="1" if self.project.data else "")

    def audience(self) -> str:
        parts = [self.school_kind.data.value if self.school_kind.data else "", self.group.data or "",
                 self.township.data or "", "公办强校项目学校" if self.project.data else ""]
        words = "、".join(p for p in parts if p) or "全部在用学校"
        return words if self.school_mode.data == "all" else f"{words}中勾选的学校"

    def validate_due_date(self, field):
        if field.data and field.data < self.today:
            raise ValidationError("截止日期不能早于今天")
        if field.data and field.data > self.today + LONGEST:
            raise ValidationError("截止日期不能晚于一年以后")

    def validate_question_text(self, field):
        if self.chosen_kind is TaskKind.FORM:
            try:
                self.parsed_questions = questions.parse(field.data)
            except questions.Problem as problem:
                raise ValidationError(str(problem)) from None

    def validate_template(self, field):
        if self.chosen_kind is not TaskKind.TABLE:
            return
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("请上传表格模板（.xlsx）")
        self.template_data = field.data.read(table.MAX_BYTES + 1)
        try:
            self.headers = table.template_headers(self.template_data)
        except excel.WorkbookError as problem:
            raise ValidationError(str(problem)) from None

    def validate_schools(self, field):
        if self.school_mode.data == "picked" and not field.data:
            raise ValidationError("请至少勾选一所学校")


class AnswerForm(Form):
    """A school's 报送: a file (file and table tasks) or the form's values (q1, q2, ... read by the view)."""
    file = FileField("文件")
    key = HiddenField(validators=REQUIRED_KEY)


class ReturnForm(Form):
    comment = TextAreaField("退回意见", filters=[stripped], validators=[
        DataRequired("请写明退回的理由，学校会看到"), Length(max=1000, message="最多 1000 字")])


class RemindForm(Form):
    school = HiddenField(filters=[to_id])
