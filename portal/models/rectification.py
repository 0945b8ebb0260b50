"""Rectification (整改): a finding a school must put right by a date, the school's report with
evidence (整改报告), and the inspector's verdict: closed (销号) or sent back.

Who may move an item from which state to which is in portal/rectification/workflow.py.
"""
import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .attachment import Attachment
from .base import Timestamped, UTCDateTime, utcnow
from .checklist import Item
from .inspection import Inspection, Photo
from .school import School, label_enum
from .user import User


class RectificationStatus(enum.Enum):
    OPEN = "待整改"
    SUBMITTED = "已提交"
    RETURNED = "已退回"
    CLOSED = "已销号"


class Priority(enum.Enum):
    NORMAL = "一般"
    IMPORTANT = "重要"
    URGENT = "紧急"


class Step(enum.Enum):
    """What happened to an item (its history) and what may be done to it (workflow)."""
    CREATE = "生成"
    EDIT = "修改"
    SUBMIT = "提交整改报告"
    RETURN = "退回"
    CLOSE = "销号"


# The inspection's photos of the finding, shown with the item (they stay the inspection's photos).
rectification_evidence = Table(
    "rectification_evidence", db.metadata,
    Column("rectification_id", ForeignKey("rectification_item.id", ondelete="CASCADE"), primary_key=True),
    Column("photo_id", ForeignKey("evidence_photo.id", ondelete="CASCADE"), primary_key=True),
)


class RectificationItem(Timestamped, db.Model):
    __tablename__ = "rectification_item"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    problem: Mapped[str] = mapped_column(Text)
    requirement: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date, index=True)  # a calendar day in the county's time zone
    priority: Mapped[Priority] = mapped_column(label_enum(Priority), default=Priority.NORMAL)
    status: Mapped[RectificationStatus] = mapped_column(
        label_enum(RectificationStatus), default=RectificationStatus.OPEN, index=True)
    # Where the finding came from (optional: an item may also be added freely).
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id", ondelete="RESTRICT"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Who verifies the school's report: the inspection's inspector unless someone else is named.
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # The school's report (整改报告): the latest text; each submitted text is kept in the history.
    report: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The creating form's one-time key: a second tap finds this row instead of adding another.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    school: Mapped[School] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    item: Mapped[Item | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    inspector: Mapped[User | None] = relationship(foreign_keys=[inspector_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    evidence: Mapped[list[Photo]] = relationship(secondary=rectification_evidence, order_by=Photo.id)
    files: Mapped[list["RectificationFile"]] = relationship(
        back_populates="rectification", order_by="RectificationFile.id", cascade="all, delete-orphan")
    events: Mapped[list["RectificationEvent"]] = relationship(
        back_populates="rectification", order_by="RectificationEvent.id", cascade="all, delete-orphan")


class RectificationFile(db.Model):
    """Evidence the school attaches to its report: a photo (downscaled, with a thumbnail) or a
    PDF/Office document."""

    __tablename__ = "rectification_file"
    __audit__ = True
    __table_args__ = (UniqueConstraint("rectification_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification_item.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    # Chosen by the page for each picked file: an upload sent twice is stored once.
    client_key: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rectification: Mapped[RectificationItem] = relationship(back_populates="files")
    attachment: Mapped[Attachment] = relationship(foreign_keys=[attachment_id])
    thumbnail: Mapped[Attachment | None] = relationship(foreign_keys=[thumbnail_id])

    @property
    def school_id(self) -> int:
        return self.rectification.school_id


class RectificationEvent(db.Model):
    """One step in an item's history: who, when, what, and the comment or report text."""

    __tablename__ = "rectification_event"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification_item.id", ondelete="CASCADE"), index=True)
    step: Mapped[Step] = mapped_column(label_enum(Step))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
    # The form's one-time key: a resent submit, return or close is recognised and changes nothing.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    rectification: Mapped[RectificationItem] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def school_id(self) -> int:
        return self.rectification.school_id
