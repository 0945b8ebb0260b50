"""Inspections (督导检查): one school, one template version, one answer per item, photo evidence.

An inspection keeps the template version it was started on forever; its items are that version's.
"""
import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .attachment import Attachment
from .base import Timestamped, UTCDateTime, utcnow
from .checklist import Item, TemplateVersion
from .draw import Draw
from .school import School, label_enum
from .user import User

if TYPE_CHECKING:
    from .round import Round
    from .self_check import SelfCheck
    from .team import InspectionMember, SectionAssignment


class InspectionStatus(enum.Enum):
    DRAFT = "填写中"
    SUBMITTED = "已提交"
    RETURNED = "已退回"
    APPROVED = "已通过"


class Purpose(enum.Enum):
    OFFICIAL = "督导检查"
    SELF = "学校自查"  # a school's check of itself (models/self_check.py): never an official result


EDITABLE = {InspectionStatus.DRAFT, InspectionStatus.RETURNED}


class Inspection(Timestamped, db.Model):
    __tablename__ = "inspection"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id", ondelete="RESTRICT"), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[InspectionStatus] = mapped_column(label_enum(InspectionStatus), default=InspectionStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_round.id", ondelete="RESTRICT"), index=True)
    # The draw that picked this inspection's inspector (a round's random assignment), if any.
    inspector_draw_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id", ondelete="RESTRICT"))
    # The start form's one-time key: a second tap on 开始检查 finds this row instead of adding one.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    # The result as submitted (supervision/sheet.py record_result): the answers cannot change after
    # submission, so county figures read these instead of scoring every answer again.
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    band: Mapped[str | None] = mapped_column(String(20))
    critical_failed: Mapped[bool] = mapped_column(default=False, server_default=false())
    purpose: Mapped[Purpose] = mapped_column(label_enum(Purpose), default=Purpose.OFFICIAL, server_default="OFFICIAL",
                                             index=True)

    school: Mapped[School] = relationship()
    version: Mapped[TemplateVersion] = relationship()
    inspector: Mapped[User | None] = relationship(foreign_keys=[inspector_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    answers: Mapped[list["Answer"]] = relationship(back_populates="inspection", cascade="all, delete-orphan")
    round: Mapped["Round | None"] = relationship(back_populates="inspections")
    inspector_draw: Mapped[Draw | None] = relationship()
    self_check: Mapped["SelfCheck | None"] = relationship(back_populates="inspection", cascade="all, delete-orphan")
    # Its 督导组 beside the inspector (models/team.py): none for an inspection filled alone.
    members: Mapped[list["InspectionMember"]] = relationship(
        back_populates="inspection", order_by="InspectionMember.id", cascade="all, delete-orphan")
    assignments: Mapped[list["SectionAssignment"]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan")

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_self_check(self) -> bool:
        return self.purpose is Purpose.SELF

    @property
    def released(self) -> bool:
        """Approved: the school and the county leaders may read it."""
        return self.status is InspectionStatus.APPROVED


class Answer(db.Model):
    """The inspector's answer to one item. `revision` grows with every change: a save names the
    revision it was based on, so two people cannot silently overwrite each other."""

    __tablename__ = "inspection_answer"
    __audit__ = True
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="RESTRICT"), index=True)
    value: Mapped[str | None] = mapped_column(String(20))  # points as a decimal string, or a label (达标, 优, 是)
    na: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=0)
    # The idempotency key of the last save applied: a resent save is recognised and changes nothing.
    last_key: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    inspection: Mapped[Inspection] = relationship(back_populates="answers")
    item: Mapped[Item] = relationship()
    updated_by: Mapped[User | None] = relationship()
    photos: Mapped[list["Photo"]] = relationship(
        back_populates="answer", order_by="Photo.id", cascade="all, delete-orphan")

    # SQLAlchemy bumps `revision` on every UPDATE and adds "WHERE revision = <read value>": of two
    # saves racing from the same revision, the second updates nothing and fails (StaleDataError).
    __mapper_args__ = {"version_id_col": revision}

    @property
    def school_id(self) -> int:
        return self.inspection.school_id


class Photo(db.Model):
    """Photo evidence for an answer: the downscaled picture and its thumbnail, both Attachments."""

    __tablename__ = "evidence_photo"
    __audit__ = True
    __table_args__ = (UniqueConstraint("answer_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("inspection_answer.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    thumbnail_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    # Chosen by the tablet for each picked photo: an upload sent twice is stored once.
    client_key: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answer: Mapped[Answer] = relationship(back_populates="photos")
    attachment: Mapped[Attachment] = relationship(foreign_keys=[attachment_id])
    thumbnail: Mapped[Attachment] = relationship(foreign_keys=[thumbnail_id])

    @property
    def school_id(self) -> int:
        return self.answer.school_id
