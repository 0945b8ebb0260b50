from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import Optional

from .. import clock
from ..extensions import db
from ..forms import enum_field, options, to_id
from ..models import ChecklistTemplate, Inspection, Round, RoundMode, TemplateKind
from ..schools.forms import SchoolFilterForm
from ..security import scoped


class OverviewForm(SchoolFilterForm):
    """The school list's filters, the semester the figures are for (the current one by default), and
    which results they compare: one checklist template, one round, one mode (no mean over unlike
    checklists: a ranking needs a template or a round)."""
    semester = SelectField("学期", validators=[Optional()])
    template = SelectField("检查表", coerce=to_id, validators=[Optional()])
    round = SelectField("督导批次", coerce=to_id, validators=[Optional()])
    mode = enum_field("督导方式", RoundMode, blank="全部方式", validators=[Optional()])
    FIELDS = ("semester", "template", "round", "mode", "kind", "group", "township", "project")
    SCHOOL_FIELDS = ("kind", "group", "township", "project")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recent = clock.recent_semesters(clock.today())
        self.semester.choices = options([(s.code, s.name) for s in self.recent])
        templates = db.session.execute(select(ChecklistTemplate.id, ChecklistTemplate.name)
                                       .where(ChecklistTemplate.kind == TemplateKind.CHECKLIST)
                                       .order_by(ChecklistTemplate.name))
        self.template.choices = options([("", "全部检查表")] + [(str(t.id), t.name) for t in templates])
        # The rounds of the recent semesters that reached a school the user sees.
        rounds = db.session.execute(scoped(
            select(Round.id, Round.name, Round.starts_on).join(Inspection, Inspection.round_id == Round.id)
            .where(Round.ends_on >= self.recent[-1].start), Inspection.school_id)
            .distinct().order_by(Round.starts_on.desc(), Round.id.desc()))
        self.round.choices = options([("", "全部批次")] + [(str(r.id), r.name) for r in rounds])

    @property
    def shown(self) -> list:
        return [self[name] for name in self.FIELDS]

    @property
    def chosen_semester(self) -> clock.Semester:
        """The semester asked for when it is one of the choices, else the current one."""
        asked = clock.parse_semester(self.semester.data)
        return asked if asked in self.recent else self.recent[0]

    def chosen(self, name: str):
        """A result filter's value when it is one of its choices, else None (all)."""
        field = self[name]
        return field.data if field.data and not field.errors else None
