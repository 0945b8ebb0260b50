from wtforms import SelectField
from wtforms.validators import InputRequired, ValidationError

from ..forms import CheckboxList, Form, options, to_id
from . import roster


class TeamForm(Form):
    """The 组长 and the 组员 of one inspection (or, on the start form, of the inspection to be made)."""

    leader = SelectField("组长", coerce=to_id, validators=[InputRequired("请选择组长")])
    members = CheckboxList("组员", coerce=to_id, validate_choice=False)

    def __init__(self, *args, leader_id: int | None = None, **kwargs):
        """`leader_id`: the 组长 now, not offered as their own 组员 (one the form makes 组长 is dropped
        from the 组员 all the same: roster.set_team)."""
        super().__init__(*args, **kwargs)
        self.people = roster.inspectors()
        self.leader.choices = options([("", "请选择组长")] + [(str(u.id), u.display_name) for u in self.people])
        self.members.choices = options([(str(u.id), u.display_name) for u in self.people if u.id != leader_id])

    def validate_leader(self, field):
        if field.data not in {u.id for u in self.people}:
            raise ValidationError("组长须是在岗的督学")

    def validate_members(self, field):
        validate_members(field, {u.id for u in self.people}, self.leader.data)


def validate_members(field, people: set[int], leader_id: int | None) -> None:
    chosen = set(field.data or []) - {leader_id}
    if not chosen <= people:
        raise ValidationError("所选组员不在可选范围内")
    if len(chosen) > roster.MAX_MEMBERS:
        raise ValidationError(f"组员最多 {roster.MAX_MEMBERS} 人")


def assignment_form(parts, members, formdata=None, data=None) -> Form:
    """One select per section of the sheet (`parts`: sheet.Part): the 组长 (blank) or a member of the team."""
    choices = options([("", "组长")] + [(str(m.id), m.user.display_name) for m in members])

    class AssignmentForm(Form):
        def fillers(self) -> dict[int, int | None]:
            return {part.section.id: self[f"section_{part.section.id}"].data for part in parts}

    for part in parts:
        setattr(AssignmentForm, f"section_{part.section.id}",
                SelectField(part.section.title, coerce=to_id, choices=choices))
    return AssignmentForm(formdata=formdata, data=data)
