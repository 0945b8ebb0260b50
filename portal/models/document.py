"""Official documents (公文): circulars (专项督导通报) composed from a round, numbered when issued,
received and acknowledged (签收) by schools; and the batch jobs that make a round's per-school notices.

An issued document never changes (refuse_changes_to_issued_documents below): a correction is a new
document that names the one it corrects. Numbers come from one counter row per prefix and year
(portal/documents/numbering.py).
"""
import enum
from datetime import date, datetime

from sqlalchemy import (JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event, inspect)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .attachment import Attachment
from .base import Timestamped, UTCDateTime, utcnow
from .rectification import RectificationItem
from .round import Round
from .school import School, label_enum
from .user import User


class DocumentStatus(enum.Enum):
    DRAFT = "草稿"
    ISSUED = "已印发"


class DocumentKind(enum.Enum):
    CIRCULAR = "通报"       # composed by the office from a round, edited, issued to many schools
    ORDER = "督办通知"      # made by the escalation run for one overdue item, to its school (never a draft)


class Audience(enum.Enum):
    ALL = "全县在用学校"
    ROUND = "本批次督导学校"


class Document(Timestamped, db.Model):
    """A circular (通报). The sections are the office's text, one paragraph a line; the attached
    table is frozen with the document (the ranking as it was when composed or last refreshed)."""

    __tablename__ = "document"
    __audit__ = True
    __table_args__ = (UniqueConstraint("prefix", "year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[DocumentStatus] = mapped_column(label_enum(DocumentStatus), default=DocumentStatus.DRAFT, index=True)
    kind: Mapped[DocumentKind] = mapped_column(label_enum(DocumentKind), default=DocumentKind.CIRCULAR,
                                               server_default=DocumentKind.CIRCULAR.name)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_round.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    addressee: Mapped[str] = mapped_column(String(200), default="")
    opening: Mapped[str] = mapped_column(Text, default="")        # 开头语 (根据……现通报如下。)
    basics: Mapped[str] = mapped_column(Text, default="")         # 基本情况
    achievements: Mapped[str] = mapped_column(Text, default="")   # 主要成效
    problems: Mapped[str] = mapped_column(Text, default="")       # 存在问题
    requirements: Mapped[str] = mapped_column(Text, default="")   # 整改要求
    deadline: Mapped[date | None] = mapped_column(Date)           # 整改期限 (a county calendar day)
    cc: Mapped[str] = mapped_column(String(200), default="")      # 抄送
    attachment_title: Mapped[str] = mapped_column(String(200), default="")
    table: Mapped[list] = mapped_column(JSON, default=list)       # [[名次, 学校, 得分, 等级], ...]
    audience: Mapped[Audience] = mapped_column(label_enum(Audience), default=Audience.ALL)
    create_items: Mapped[bool] = mapped_column(default=True)      # 整改要求 → the schools' rectification items
    # 发文字号, given when issued: prefix〔year〕sequence号
    prefix: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)
    sequence: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    issuer: Mapped[str] = mapped_column(String(80), default="")   # 发文机关 at the time of issue
    signed_on: Mapped[date | None] = mapped_column(Date)          # 成文日期
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"), index=True)
    pdf_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The composing form's one-time key: a second tap on 起草 opens the first draft.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    round: Mapped[Round | None] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    corrects: Mapped["Document | None"] = relationship(remote_side=[id], foreign_keys=[corrects_id])
    pdf: Mapped[Attachment | None] = relationship()
    recipients: Mapped[list["DocumentRecipient"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentRecipient.id")
    items: Mapped[list[RectificationItem]] = relationship(secondary="document_rectification",
                                                          order_by=RectificationItem.id)

    @property
    def issued(self) -> bool:
        return self.status is DocumentStatus.ISSUED

    @property
    def title_text(self) -> str:
        """The title on one line (the office's line breaks are for the printed page)."""
        return "".join(line.strip() for line in (self.title or "").splitlines())


class DocumentRecipient(db.Model):
    """A school a document was sent to: when it arrived, was opened and acknowledged (签收), and by whom."""

    __tablename__ = "document_recipient"
    __audit__ = True
    __table_args__ = (UniqueConstraint("document_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders: Mapped[int] = mapped_column(default=0)

    document: Mapped[Document] = relationship(back_populates="recipients")
    school: Mapped[School] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])


# The rectification items a circular's requirements made or found (one school's item, one circular).
document_rectification = db.Table(
    "document_rectification", db.metadata,
    db.Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
    db.Column("rectification_id", ForeignKey("rectification_item.id", ondelete="CASCADE"), primary_key=True),
)


class DocumentCounter(db.Model):
    """The last sequence given per prefix and year: 发文字号 without gaps or duplicates."""

    __tablename__ = "document_counter"

    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class JobStatus(enum.Enum):
    QUEUED = "排队中"
    RUNNING = "生成中"
    DONE = "已完成"
    FAILED = "失败"


class DocumentJob(Timestamped, db.Model):
    """A batch of per-school documents made in the background (portal/documents/batch.py). Its
    state lives here, so any process can show the progress and a failed document is on record."""

    __tablename__ = "document_job"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("supervision_round.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))                 # notices.KINDS
    status: Mapped[JobStatus] = mapped_column(label_enum(JobStatus), default=JobStatus.QUEUED, index=True)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failures: Mapped[list] = mapped_column(JSON, default=list)    # [[school, reason], ...]
    zip_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    round: Mapped[Round] = relationship()
    zip: Mapped[Attachment | None] = relationship()


class IssuedDocumentError(RuntimeError):
    """An issued document was about to change."""


# What may still be written on an issued document: its stored PDF (made just after issuing).
MUTABLE_WHEN_ISSUED = {"pdf_id", "pdf", "updated_at"}


@event.listens_for(Session, "before_flush")
def refuse_changes_to_issued_documents(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, Document):
            continue
        history = inspect(obj).attrs.status.history
        before = history.deleted[0] if history.deleted else obj.status
        if before is not DocumentStatus.ISSUED:
            continue
        if obj in session.deleted:
            raise IssuedDocumentError(f"{obj.number} 已印发，不能删除。")
        changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
        changed -= MUTABLE_WHEN_ISSUED | {"recipients"}
        if changed:
            raise IssuedDocumentError(f"{obj.number} 已印发，不能修改；如需更正请起草更正文件。")
