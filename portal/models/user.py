import enum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped
from .school import School, label_enum


class Role(enum.Enum):
    ADMIN = "督导室管理员"
    INSPECTOR = "督学"
    PRINCIPAL = "校长"
    LEADER = "领导"


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
    __audit_hidden__ = {"password_hash", "session_version"}
    __table_args__ = (
        CheckConstraint("role != 'PRINCIPAL' OR school_id IS NOT NULL", name="principal_has_school"),
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

    school: Mapped[School | None] = relationship()
    schools: Mapped[list[School]] = relationship(
        secondary=inspector_school, order_by=School.code
    )

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
