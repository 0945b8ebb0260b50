"""督导组: the members who fill one inspection with its inspector, and which sections each fills.

The 组长 is the inspection's own inspector (Inspection.inspector_id: who the lists name, who submits);
the team adds 组员 beside them. A section assigned to a member is theirs to fill; a section assigned to
nobody is the 组长's. Kept apart from Inspection so that an inspection without a team is what it was.
"""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime
from .checklist import Section
from .inspection import Inspection
from .user import User


class TeamRole(enum.Enum):
    LEADER = "组长"
    MEMBER = "组员"


class InspectionMember(db.Model):
    """A 组员 of an inspection's 督导组. `done_at`: when they marked their part 已完成 (None: still filling)."""

    __tablename__ = "inspection_member"
    __audit__ = True
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    inspection: Mapped[Inspection] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
    sections: Mapped[list["SectionAssignment"]] = relationship(back_populates="member", cascade="all, delete-orphan")

    @property
    def school_id(self) -> int:
        return self.inspection.school_id


class SectionAssignment(db.Model):
    """One section of the inspection's checklist given to one member to fill."""

    __tablename__ = "inspection_section_assignment"
    __audit__ = True
    __table_args__ = (UniqueConstraint("inspection_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("checklist_section.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(ForeignKey("inspection_member.id", ondelete="CASCADE"), index=True)

    inspection: Mapped[Inspection] = relationship(back_populates="assignments")
    section: Mapped[Section] = relationship()
    member: Mapped[InspectionMember] = relationship(back_populates="sections")

    @property
    def school_id(self) -> int:
        return self.inspection.school_id
