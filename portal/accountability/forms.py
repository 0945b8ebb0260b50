from datetime import timedelta

from wtforms import DateField, HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..forms import KEY, CheckboxList, Form, enum_field, options, stripped, to_id
from ..models import Measure

REASON_LIMIT = 2000
EARLIEST = timedelta(days=366)  # an action recorded more than a year after it was taken is a typing mistake


class AccountabilityForm(Form):
    """问责: what the office did at a school, when, why and for which of its items."""

    measure = enum_field("问责措施", Measure, field=RadioField, validators=[InputRequired("请选择问责措施")])
    taken_on = DateField("日期", validators=[InputRequired("请填写日期（年-月-日）")])
    reason = TextAreaField("事由", filters=[stripped], render_kw={"rows": 4}, validators=[
        DataRequired("请写明问责事由"), Length(max=REASON_LIMIT, message=f"最多 {REASON_LIMIT} 字")])
    items = CheckboxList("涉及的整改事项", coerce=to_id)
    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])

    def __init__(self, today, items, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.items.choices = options([(item.id, f"#{item.id} {item.problem[:40]}（期限 {item.due_date}）")
                                      for item in items])

    def validate_taken_on(self, field):
        if field.data and field.data > self.today:
            raise ValidationError("日期不能晚于今天")
        if field.data and field.data < self.today - EARLIEST:
            raise ValidationError("日期不能早于一年前")


class RunForm(Form):
    """立即督办检查: CSRF and a one-time key (a second tap finds the first run)."""

    key = HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])
