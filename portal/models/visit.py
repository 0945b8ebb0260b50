"""挂牌督导: each school's 责任督学 (an inspector whose 责任区 holds it, models.inspector_school) visits
it regularly and keeps a record of each visit; the school hangs a sign (公示牌) naming them, with their
portrait; the office prints the signs in one batch.

What a visit checks are the 督导事项 of portal/visits/duties.py; how often a school is due a visit is
portal/visits/schedule.py.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .attachment import Attachment
from .base import Timestamped, UTCDateTime, utcnow
from .document import JobStatus
from .rectification import RectificationItem
from .school import School, label_enum
from .user import User


class Visit(Timestamped, db.Model):
    """One visit of a 责任督学 to a school: the day, the 督导事项 looked at, what was found and advised."""

    __tablename__ = "supervision_visit"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)  # a calendar day in the county's time zone
    checked: Mapped[list] = mapped_column(JSON, default=list)   # duties.DUTIES names, in the list's order
    findings: Mapped[str] = mapped_column(Text, default="")
    suggestions: Mapped[str] = mapped_column(Text, default="")
    # The rectification item the inspector raised from what they found, if any.
    rectification_id: Mapped[int | None] = mapped_column(
        ForeignKey("rectification_item.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The form's one-time key: a second tap on 保存 finds this visit instead of adding another.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    school: Mapped[School] = relationship()
    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    rectification: Mapped[RectificationItem | None] = relationship()
    photos: Mapped[list["VisitPhoto"]] = relationship(
        back_populates="visit", order_by="VisitPhoto.id", cascade="all, delete-orphan")


class VisitTarget(Timestamped, db.Model):
    """How many visits a 责任督学 owes each of their schools per semester, as the office set it (one
    row; absent means the VISITS_PER_SEMESTER setting). portal/visits/schedule.py reads it."""

    __tablename__ = "visit_target"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    visits_per_semester: Mapped[int]


class VisitPhoto(db.Model):
    """A photo taken on a visit (downscaled, with a thumbnail: portal/files/evidence.py)."""

    __tablename__ = "supervision_visit_photo"
    __audit__ = True
    __table_args__ = (UniqueConstraint("visit_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("supervision_visit.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    client_key: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="photos")
    attachment: Mapped[Attachment] = relationship(foreign_keys=[attachment_id])
    thumbnail: Mapped[Attachment | None] = relationship(foreign_keys=[thumbnail_id])

    @property
    def school_id(self) -> int:
        return self.visit.school_id


class Portrait(db.Model):
    """An inspector's portrait for the schools' signs: one per inspector, replaced by a new upload."""

    __tablename__ = "inspector_portrait"
    __audit__ = True

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    # The upload's one-time key: the same picture sent twice replaces nothing.
    client_key: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    attachment: Mapped[Attachment] = relationship(foreign_keys=[attachment_id])
    thumbnail: Mapped[Attachment | None] = relationship(foreign_keys=[thumbnail_id])


class SignJob(Timestamped, db.Model):
    """Every active school's sign in one PDF, made in the background (portal/visits/batch.py, run by
    portal/jobs.py); its progress and any school that failed are kept here for every process to show."""

    __tablename__ = "sign_job"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[JobStatus] = mapped_column(label_enum(JobStatus), default=JobStatus.QUEUED, index=True)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failures: Mapped[list] = mapped_column(JSON, default=list)    # [[school, reason], ...]
    pdf_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    pdf: Mapped[Attachment | None] = relationship()
