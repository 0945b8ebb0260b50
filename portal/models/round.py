"""Supervision rounds (督导批次): one template version, a date window, schools and their inspectors.

A round makes one inspection per school; the schools (and, per school, the inspector) may come
from open random draws, whose records the round keeps.
"""
import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped
from .checklist import TemplateVersion
from .draw import Draw
from .school import label_enum
from .user import User

if TYPE_CHECKING:
    from .inspection import Inspection


class RoundKind(enum.Enum):
    COMPREHENSIVE = "综合督导"
    SPECIAL = "专项督导"
    RANDOM = "随机督导"
    REGULAR = "常规督导"


class Round(Timestamped, db.Model):
    __tablename__ = "supervision_round"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[RoundKind] = mapped_column(label_enum(RoundKind))
    version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id", ondelete="RESTRICT"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    school_draw_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The creation form's one-time key: a second tap on 创建 finds this round instead of adding one.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    version: Mapped[TemplateVersion] = relationship()
    school_draw: Mapped[Draw | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    inspections: Mapped[list["Inspection"]] = relationship(back_populates="round")
