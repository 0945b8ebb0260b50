"""Open random draws (随机抽取): schools and inspectors for a round, a class to observe.

A draw is recorded whole (who drew, when, the candidates in order, how many, the seed, what came
out) so that anyone can run it again from the record and get the same result; see portal/draws/lots.py
for the rule.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .user import User


class Draw(db.Model):
    __tablename__ = "draw"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(100))        # e.g. "2026 秋季随机督导 学校"
    rule: Mapped[str] = mapped_column(Text, default="")      # what was excluded and why, in words
    # The school a draw belongs to (a class draw); None for office-wide draws (a round's schools).
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    candidates: Mapped[list] = mapped_column(JSON)           # [[key, label], ...] in the order drawn from
    count: Mapped[int]
    seed: Mapped[str] = mapped_column(String(64))
    picked: Mapped[list] = mapped_column(JSON)               # [key, ...] in draw order
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    drawn_by: Mapped[User | None] = relationship()

    def labels(self) -> dict[str, str]:
        return {str(key): label for key, label in self.candidates}
