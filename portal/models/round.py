"""Supervision rounds (督导批次): one template version, a date window, schools and their inspectors.

A round has a kind (its scope and how schools are chosen: 综合/专项/随机/常规) and a mode (who runs it
and at what stage: 期末/过程 by the county, 学区督导, 校内督导, 挂牌督导), so results of unlike rounds are
told apart in figures, lists, exports and circulars.

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


class RoundMode(enum.Enum):
    """督导方式: the quality-year plan mixes 过程督导 and 期末督导, 校内督导 and 学区督导, and the
    责任督学's 挂牌督导; rankings compare like with like."""
    TERM_END = "期末督导"
    PROCESS = "过程督导"
    DISTRICT = "学区督导"
    SELF = "校内督导"
    LISTED = "挂牌督导"


class Round(Timestamped, db.Model):
    __tablename__ = "supervision_round"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[RoundKind] = mapped_column(label_enum(RoundKind))
    mode: Mapped[RoundMode] = mapped_column(label_enum(RoundMode), default=RoundMode.TERM_END, index=True)
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
