"""督办 and 问责: what the daily escalation run did about overdue rectification items, and what the
office did about schools that lag.

A supervision order (督办) is one rule applied to one item, once: the unique constraint on
(rectification_id, rule) is what keeps a repeated or concurrent run from escalating an item twice
(portal/accountability/escalation.py). The 督办通知 it sends is a 公文 of its own kind (models.Document,
DocumentKind.ORDER) in the school's inbox, to be signed for as any other.
"""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped, UTCDateTime, utcnow
from .document import Document, JobStatus
from .rectification import RectificationItem
from .school import School, label_enum
from .user import User


class OrderRule(enum.Enum):
    """The escalation rules, in the order an item meets them (the days are settings: config.py)."""
    NOTICE = "督办通知"     # DUBAN_NOTICE_DAYS overdue: a 督办通知 to the school
    LEADERS = "报领导"      # DUBAN_LEADER_DAYS overdue: the item is put before the leaders


class SupervisionOrder(db.Model):
    """督办: one rule applied to one overdue item, with the facts as they stood that day."""

    __tablename__ = "supervision_order"
    __audit__ = True
    __table_args__ = (UniqueConstraint("rectification_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint (its first column).
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification_item.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    rule: Mapped[OrderRule] = mapped_column(label_enum(OrderRule))
    found_on: Mapped[date] = mapped_column(Date, index=True)   # the county day the run found it
    due_date: Mapped[date] = mapped_column(Date)               # the item's deadline then
    days_overdue: Mapped[int]
    new_deadline: Mapped[date | None] = mapped_column(Date)   # 督办期限 (a 督办通知's)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rectification: Mapped[RectificationItem] = relationship()
    school: Mapped[School] = relationship()
    document: Mapped[Document | None] = relationship()


class EscalationRun(Timestamped, db.Model):
    """One run of the escalation rules, as a background job (portal/jobs.py): started by the daily
    `flask duban run` or by the office, its progress and outcome on record."""

    __tablename__ = "escalation_run"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[JobStatus] = mapped_column(label_enum(JobStatus), default=JobStatus.QUEUED, index=True)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    notices: Mapped[int] = mapped_column(default=0)    # 督办通知 sent by this run
    leaders: Mapped[int] = mapped_column(default=0)    # items put before the leaders by this run
    failures: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    created_by: Mapped[User | None] = relationship()


class Measure(enum.Enum):
    """What the office did (问责措施)."""
    TALK = "约谈"
    CRITICISM = "通报批评"
    DEADLINE = "限期整改"
    INSPECTION = "责令检查"
    ASSESSMENT = "年度考核扣分"
    OTHER = "其他"


accountability_rectification = Table(
    "accountability_rectification", db.metadata,
    Column("accountability_id", ForeignKey("accountability.id", ondelete="CASCADE"), primary_key=True),
    Column("rectification_id", ForeignKey("rectification_item.id", ondelete="CASCADE"), primary_key=True),
)


class Accountability(Timestamped, db.Model):
    """问责: an action the office took on a school, when, why, for which items, recorded by whom."""

    __tablename__ = "accountability"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    measure: Mapped[Measure] = mapped_column(label_enum(Measure))
    taken_on: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The form's one-time key: a second tap on 保存 finds the first entry.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    school: Mapped[School] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    items: Mapped[list[RectificationItem]] = relationship(secondary=accountability_rectification,
                                                          order_by=RectificationItem.id)
