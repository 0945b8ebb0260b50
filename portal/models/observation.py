"""Unannounced classroom observation (推门听课): one lesson seen by one observer, scored with one
rubric version (a ChecklistTemplate of kind RUBRIC) which the record keeps forever.

The total and grade are stored with the record (recomputed by observations/grading.py on every
score saved) so that counts, averages and grade distributions are computed in SQL.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped, UTCDateTime, utcnow
from .checklist import Item, TemplateVersion
from .classroom import SchoolClass, Teacher
from .draw import Draw
from .school import School, label_enum
from .user import Role, User


class ObservationStatus(enum.Enum):
    DRAFT = "听课中"
    FINAL = "已完成"


class FeedbackWay(enum.Enum):
    IN_PERSON = "当面"
    WRITTEN = "书面"
    PHONE = "电话"
    ONLINE = "线上"


class Observation(Timestamped, db.Model):
    __tablename__ = "observation"
    __audit__ = True
    # The semester counts read only this index (a covering index: no table rows are visited).
    __table_args__ = (Index("ix_observation_counting", "observed_on", "status", "observer_id", "school_id", "subject",
                            "class_id", "grade", "total"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id", ondelete="RESTRICT"), index=True)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id", ondelete="SET NULL"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id", ondelete="SET NULL"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id", ondelete="SET NULL"))
    status: Mapped[ObservationStatus] = mapped_column(label_enum(ObservationStatus), default=ObservationStatus.DRAFT)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)   # stamped by the server
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    observed_on: Mapped[date] = mapped_column(Date, index=True)
    period: Mapped[int | None]
    class_label: Mapped[str] = mapped_column(String(40), default="")
    teacher_name: Mapped[str] = mapped_column(String(40), default="")
    subject: Mapped[str] = mapped_column(String(20), default="", index=True)
    topic: Mapped[str] = mapped_column(String(120), default="")
    strengths: Mapped[str] = mapped_column(Text, default="")     # 亮点
    problems: Mapped[str] = mapped_column(Text, default="")      # 问题
    suggestions: Mapped[str] = mapped_column(Text, default="")   # 建议
    total: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    grade: Mapped[str | None] = mapped_column(String(20), index=True)
    feedback_way: Mapped[FeedbackWay | None] = mapped_column(label_enum(FeedbackWay))
    feedback_on: Mapped[date | None] = mapped_column(Date)
    feedback_note: Mapped[str] = mapped_column(Text, default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The record's own fields (not its scores) are one autosave unit: see observations/recording.py.
    revision: Mapped[int] = mapped_column(default=0)
    last_key: Mapped[str | None] = mapped_column(String(36))
    # The start form's one-time key: a second tap on 开始听课 finds this row instead of adding one.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    school: Mapped[School] = relationship()
    observer: Mapped[User | None] = relationship(foreign_keys=[observer_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    version: Mapped[TemplateVersion] = relationship()
    draw: Mapped[Draw | None] = relationship()
    school_class: Mapped[SchoolClass | None] = relationship()
    teacher: Mapped[Teacher | None] = relationship()
    scores: Mapped[list["ObservationScore"]] = relationship(back_populates="observation", cascade="all, delete-orphan")
    log: Mapped[list["ObservationLog"]] = relationship(
        back_populates="observation", order_by="ObservationLog.at", cascade="all, delete-orphan")

    # The application sets `revision` (record saves only); every UPDATE still says "WHERE revision =
    # <read value>", so a save racing another from the same revision fails (StaleDataError).
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}

    @property
    def final(self) -> bool:
        return self.status is ObservationStatus.FINAL


class ObservationScore(db.Model):
    """The points given for one rubric dimension (an Item of the record's version)."""

    __tablename__ = "observation_score"
    __audit__ = True
    __table_args__ = (UniqueConstraint("observation_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="RESTRICT"), index=True)
    points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    revision: Mapped[int] = mapped_column(default=0)
    last_key: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    observation: Mapped[Observation] = relationship(back_populates="scores")
    item: Mapped[Item] = relationship()

    __mapper_args__ = {"version_id_col": revision}

    @property
    def school_id(self) -> int:
        return self.observation.school_id


class ObservationLog(db.Model):
    """A line of the quick log (教师讲授, 学生讨论, ...), stamped by the server."""

    __tablename__ = "observation_log"
    __audit__ = True
    __table_args__ = (UniqueConstraint("observation_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    client_key: Mapped[str] = mapped_column(String(36))

    observation: Mapped[Observation] = relationship(back_populates="log")


class ObservationQuota(db.Model):
    """How many lessons each observer of a role should observe per semester (the office sets it)."""

    __tablename__ = "observation_quota"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(label_enum(Role), unique=True)
    per_semester: Mapped[int]
