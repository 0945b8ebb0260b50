"""学校自查 (self-inspection): a school checks itself against a checklist before the office comes.

The answers are an Inspection of purpose SELF (the same filling page, autosave, conflict and offline
rules), never an official result: every list and county figure of results reads official inspections
only (security.readable_inspections_clause), and a self-check's inspection belongs to no round
(Inspection.round_id stays empty; the round it answers is SelfCheck.round_id), so nothing that reads a
round's inspections meets it. What only a self-check has lives here: who asked and by when, the staff
the principal named to fill it, and its written 自查报告.
"""
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .attachment import Attachment
from .base import Timestamped, UTCDateTime, utcnow
from .round import Round
from .school import School
from .user import User

if TYPE_CHECKING:
    from .inspection import Inspection


# The school's staff a principal named to fill its self-check (users of that school, whatever their role).
self_check_member = Table(
    "self_check_member",
    db.metadata,
    Column("self_check_id", ForeignKey("self_check.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class SelfCheck(Timestamped, db.Model):
    __tablename__ = "self_check"
    __audit__ = True
    # A round asks each of its schools once (asking again finds the first request).
    __table_args__ = (UniqueConstraint("round_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    # The round whose official inspection it prepares, or None: the office asked one school.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_round.id", ondelete="RESTRICT"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The one-school request form's one-time key: a second tap finds this request instead of adding one.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    inspection: Mapped["Inspection"] = relationship(back_populates="self_check")
    school: Mapped[School] = relationship()
    round: Mapped[Round | None] = relationship()
    requested_by: Mapped[User | None] = relationship()
    members: Mapped[list[User]] = relationship(secondary=self_check_member, order_by=User.display_name)
    files: Mapped[list["SelfCheckFile"]] = relationship(back_populates="self_check", order_by="SelfCheckFile.id",
                                                        cascade="all, delete-orphan")

    def late(self, today: date) -> bool:
        """Past its date and not handed in."""
        return today > self.due_on and self.inspection.submitted_at is None


class SelfCheckFile(db.Model):
    """The school's written 自查报告: a PDF/Office document or a photo of the paper one."""

    __tablename__ = "self_check_file"
    __audit__ = True
    __table_args__ = (UniqueConstraint("self_check_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    self_check_id: Mapped[int] = mapped_column(ForeignKey("self_check.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    # Chosen by the page for each picked file: an upload sent twice is stored once.
    client_key: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    self_check: Mapped[SelfCheck] = relationship(back_populates="files")
    attachment: Mapped[Attachment] = relationship(foreign_keys=[attachment_id])
    thumbnail: Mapped[Attachment | None] = relationship(foreign_keys=[thumbnail_id])

    @property
    def school_id(self) -> int:
        return self.self_check.school_id
