"""The 督导组 of one inspection: who is on it, who fills which section, whose part is done.

The 组长 is the inspection's inspector; the 组员 are InspectionMember rows; a section given to nobody is
the 组长's (security.section_filler). The team is set while the inspection can be filled (填写中, or
已退回 for correction: a member who cannot come back hands their sections on); each member
marks their own part 已完成 so the 组长 sees which parts are in before submitting. Nothing here
commits; every row is audited (models.team).
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Inspection, InspectionMember, Role, SectionAssignment, TeamRole, User, utcnow
from ..security import can_fill_section, section_filler

MAX_MEMBERS = 8  # a county 督导组: a 组长 and a handful of 组员


class Refused(Exception):
    """The team cannot be changed now; the message says why (409)."""


def check_open(inspection: Inspection) -> None:
    """The team is set while the inspection can be filled (a draft, or returned for correction): once
    handed in, its parts are what they were."""
    if not inspection.editable:
        raise Refused(f"这次检查{inspection.status.value}，督导组和分工不能再修改。")


def inspectors() -> list[User]:
    """Who may be on a team: the county's active inspectors."""
    return db.session.scalars(select(User).where(User.role == Role.INSPECTOR, User.active)
                              .order_by(User.display_name, User.id)).all()


def set_team(inspection: Inspection, leader_id: int, member_ids: list[int]) -> None:
    """The 组长 and the 组员 as chosen. A member left off takes their sections' assignments with them
    (the sections go back to the 组长); one kept keeps theirs and their 已完成."""
    inspection.inspector_id = leader_id
    wanted = [user_id for user_id in dict.fromkeys(member_ids) if user_id != leader_id]
    with db.session.no_autoflush:  # nothing is written before the whole team is in place
        for member in list(inspection.members):
            if member.user_id not in wanted:
                for assignment in list(member.sections):
                    inspection.assignments.remove(assignment)
                inspection.members.remove(member)
        present = {member.user_id for member in inspection.members}
        inspection.members.extend(InspectionMember(user_id=user_id) for user_id in wanted if user_id not in present)


def assign(inspection: Inspection, fillers: dict[int, int | None]) -> None:
    """Give each section (by id) to a member (by InspectionMember id), or None: back to the 组长.
    A change of filler starts that part again: its new member has not marked it done."""
    members = {member.id: member for member in inspection.members}
    with db.session.no_autoflush:  # nothing is written before every section has its filler
        current = {assignment.section_id: assignment for assignment in inspection.assignments}
        for section_id, member_id in fillers.items():
            assignment = current.get(section_id)
            if (assignment.member_id if assignment is not None else None) == member_id:
                continue  # as it was (a section the 组长 keeps included)
            if member_id is None:  # back to the 组长
                assignment.member.sections.remove(assignment)
                inspection.assignments.remove(assignment)
                continue
            member = members[member_id]
            if assignment is None:
                inspection.assignments.append(SectionAssignment(section_id=section_id, member=member))
            else:  # moved, not deleted and added: the section keeps one row (its unique constraint)
                assignment.member = member
            member.done_at = None


def mark_done(member: InspectionMember, done: bool) -> None:
    member.done_at = utcnow() if done else None


@dataclass
class Part:
    """A person's share of the sheet: their sections and how far they are."""
    user: User | None
    role: TeamRole
    member: InspectionMember | None = None
    sections: list = field(default_factory=list)  # sheet.Part
    answered: int = 0
    applicable: int = 0

    @property
    def done(self) -> bool:
        return self.member is not None and self.member.done_at is not None


@dataclass
class Roster:
    """An inspection's team as the pages show it; `parts`: the 组长's first, then each member's."""
    parts: list[Part]
    filler: dict[int, Part]  # section id → whose part it is

    @property
    def is_team(self) -> bool:
        return len(self.parts) > 1

    def names(self) -> str:
        return "、".join(part.user.display_name for part in self.parts if part.user is not None)


def roster(inspection: Inspection, built=None) -> Roster:
    """Who fills what, and (with `built`, the inspection's sheet.Sheet) how far each part is."""
    leader = Part(inspection.inspector, TeamRole.LEADER)
    parts = [leader] + [Part(member.user, TeamRole.MEMBER, member) for member in inspection.members]
    by_user = {part.user.id: part for part in parts if part.user is not None}
    filler: dict[int, Part] = {}
    for sheet_part in built.parts if built is not None else []:
        part = by_user.get(section_filler(inspection, sheet_part.section.id), leader)
        filler[sheet_part.section.id] = part
        part.sections.append(sheet_part)
        part.answered += sheet_part.score.answered
        part.applicable += sheet_part.score.applicable
    return Roster(parts, filler)


def team_names(inspections: list[Inspection]) -> dict[int, str]:
    """Each inspection's people as lists and exports name them, in one query: its inspector alone, or
    its 督导组 as "周正清（组长）、吴慧敏、郑国华"."""
    members: dict[int, list[str]] = {i.id: [] for i in inspections}
    rows = db.session.execute(select(InspectionMember.inspection_id, User.display_name)
                              .join(User, User.id == InspectionMember.user_id)
                              .where(InspectionMember.inspection_id.in_(list(members))).order_by(InspectionMember.id))
    for inspection_id, name in rows:
        members[inspection_id].append(name)
    names = {}
    for i in inspections:
        leader = i.inspector.display_name if i.inspector else ""
        names[i.id] = "、".join([f"{leader or '—'}（组长）", *members[i.id]]) if members[i.id] else leader
    return names


def locked(inspection: Inspection, built) -> set[int]:
    """The sections of the sheet the current user reads but does not change (another member's part)."""
    if not inspection.members:
        return set()
    return {part.section.id for part in built.parts if not can_fill_section(inspection, part.section.id)}
