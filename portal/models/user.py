import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped, UTCDateTime
from .school import School, label_enum


class Role(enum.Enum):
    ADMIN = "督导室管理员"
    INSPECTOR = "督学"
    PRINCIPAL = "校长"
    LEADER = "领导"
    STAFF = "学校中层"  # 教导主任, 政教主任, 教研组长 …: 推门听课 at their own school, nothing else of it


# An inspector's 责任区: the schools they are responsible for.
inspector_school = Table(
    "inspector_school",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "user"
    __audit__ = True
    __audit_hidden__ = {"password_hash", "session_version", "totp_secret", "totp_last_step"}
    __table_args__ = (
        CheckConstraint("role != 'PRINCIPAL' OR school_id IS NOT NULL", name="principal_has_school"),
        CheckConstraint("role != 'STAFF' OR school_id IS NOT NULL", name="staff_has_school"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), default="")
    role: Mapped[Role] = mapped_column(label_enum(Role))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and remember-me cookie (get_id): end_sessions() bumps it and they all end.
    session_version: Mapped[int] = mapped_column(default=1)
    # Second factor (TOTP, RFC 6238; auth/two_factor.py): the shared secret once enrolment is confirmed,
    # and the last time step accepted (each code is good once).
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None]

    school: Mapped[School | None] = relationship()
    schools: Mapped[list[School]] = relationship(
        secondary=inspector_school, order_by=School.code
    )
    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.active

    def end_sessions(self) -> None:
        """Sign the user out everywhere: every session and remember-me cookie carries the old version."""
        self.session_version += 1

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __str__(self) -> str:
        return self.display_name


class RecoveryCode(db.Model):
    """One of a user's one-time recovery codes for the second factor, kept only as a salted hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(100))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")
