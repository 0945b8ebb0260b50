"""Form plumbing shared by every blueprint."""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import FloatField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import idempotency
from .models import MAX_ID
from .htmx import trigger_name


class Form(FlaskForm):
    """Every form of the portal: WTForms' own messages ("Not a valid choice", ...) in Chinese,
    from the catalogue WTForms ships (Flask-WTF would look for Flask-Babel, which we do not use)."""

    class Meta(FlaskForm.Meta):
        locales = ("zh",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class CheckboxList(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (touch-friendly, no ctrl-click)."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, invalid_choice_message: str = "所选内容中有无效的选项", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_choice_message = invalid_choice_message

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:  # WTForms' Chinese catalogue lacks the multiple-choice message
            raise ValidationError(self.invalid_choice_message) from None


KEY = Regexp(idempotency.PATTERN, message="无效的请求标识")  # a client key (portal/idempotency.py)


class AutosaveForm(Form):
    """One autosave unit as the tablet sends it (the rule: portal/idempotency.py): the revision it was
    based on and the save's idempotency key; subclasses add the unit's own fields."""

    class Meta:
        csrf = False  # autosave sends the token in the X-CSRFToken header, checked by CSRFProtect

    revision = IntegerField(validators=[InputRequired("缺少版本号，请刷新页面"), NumberRange(min=0)])
    key = StringField(validators=[Optional(), KEY])

    @property
    def first_error(self) -> str | None:
        return next((errors[0] for errors in self.errors.values()), None)


class PhotoLocation(Form):
    """Where a photo was taken, read on the tablet from the camera's EXIF before it shrinks the photo
    (static/js/photos.js), sent only when the office keeps locations (PHOTO_KEEP_LOCATION)."""

    latitude = FloatField(validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField(validators=[Optional(), NumberRange(-180, 180)])

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude.data is None or self.longitude.data is None:
            return None
        return self.latitude.data, self.longitude.data


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def to_id(value) -> int | None:
    """A row id from a form value. Nothing given is None (the blank choice: no answer); anything else
    that is not an id a row can have (a word, a number no column holds) is 0, which no row and no
    choice has: refused as not a choice, never reaching the database as None or as an overflow."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= MAX_ID else 0


def options(pairs) -> list[SelectChoice]:
    """Select choices from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_field(label: str, enum_cls, blank: str | None = None, field=SelectField, **kwargs) -> SelectField:
    """A select (or `field`: RadioField for chips) over an enum: the name travels, the Chinese label shows."""
    choices = [(member.name, member.value) for member in enum_cls]
    if blank is not None:
        choices.insert(0, ("", blank))

    def coerce(value):
        if isinstance(value, enum_cls) or value in ("", None):
            return value or None
        try:
            return enum_cls[value]
        except KeyError:
            raise ValueError("无效的选项") from None

    return field(label, choices=options(choices), coerce=coerce, **kwargs)


def workbook_field(label: str) -> FileField:
    """An Excel import's file (excel.upload() reads it)."""
    return FileField(label, validators=[
        FileRequired("请选择要导入的 Excel 文件"), FileAllowed(["xlsx"], "只能导入 .xlsx 格式的 Excel 文件")],
        render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


def inline_check(form) -> bool:
    """Inline validation while typing: True when this request only asks "is this valid?".

    Errors are kept for the field that fired and fields already filled in, so a half-typed
    form does not shout about fields the user has not reached yet.
    """
    if request.method != "POST" or request.args.get("validate") != "1":
        return False
    form.validate()
    fired = trigger_name()
    for name, field in form._fields.items():
        filled = any(value not in ("", None) for value in field.raw_data or [])
        if name != fired and not filled:
            field.errors = []
    return True
