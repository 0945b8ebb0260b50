from wtforms import SelectField
from wtforms.validators import Optional

from .. import clock
from ..forms import options
from ..schools.forms import SchoolFilterForm


class OverviewForm(SchoolFilterForm):
    """The school list's filters, and the semester the figures are for (the current one by default)."""
    semester = SelectField("学期", validators=[Optional()])
    FIELDS = ("semester", "kind", "group", "township", "project")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recent = clock.recent_semesters(clock.today())
        self.semester.choices = options([(s.code, s.name) for s in self.recent])

    @property
    def shown(self) -> list:
        return [self[name] for name in self.FIELDS]

    @property
    def chosen_semester(self) -> clock.Semester:
        """The semester asked for when it is one of the choices, else the current one."""
        asked = clock.parse_semester(self.semester.data)
        return asked if asked in self.recent else self.recent[0]
