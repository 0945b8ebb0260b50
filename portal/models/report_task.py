"""报送 tasks: the office asks chosen schools for a file, a short form or a filled-in table by a date;
each school's answer is a ReportAnswer. Who may move an answer from which state to which is in
portal/tasks/workflow.py; whether it is late is portal/tasks/deadlines.py's."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .attachment import Attachment
from .base import Timestamped, UTCDateTime
from .school import School, label_enum
from .user import User


class TaskKind(enum.Enum):
    FILE = "上传文件"
    FORM = "填写表单"
    TABLE = "填报表格"


class AnswerStatus(enum.Enum):
    PENDING = "未报送"
    SUBMITTED = "已报送"
    RETURNED = "已退回"


class ReportTask(Timestamped, db.Model):
    """What the office asks for, of whom (its answers, one per school) and by when."""

    __tablename__ = "report_task"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    instructions: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[TaskKind] = mapped_column(label_enum(TaskKind))
    due_date: Mapped[date] = mapped_column(Date, index=True)  # the last day, a county calendar day
    # A form task's questions: [{"label": ..., "type": "text" | "number" | "choice", "choices": [...]}].
    questions: Mapped[list] = mapped_column(JSON, default=list)
    # A table task's Excel template as the office uploaded it, and its header row (what answers are checked against).
    template_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    headers: Mapped[list] = mapped_column(JSON, default=list)
    audience: Mapped[str] = mapped_column(String(200), default="")  # which schools, in words (their filter)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The creating form's one-time key: a second tap on 发布 finds this task instead of sending another.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    template: Mapped[Attachment | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    answers: Mapped[list["ReportAnswer"]] = relationship(
        back_populates="task", order_by="ReportAnswer.id", cascade="all, delete-orphan")


class ReportAnswer(Timestamped, db.Model):
    """One school's part of a task: its answer (the file, the form's values or the table's rows), the
    office's return with a comment, and the reminders sent to it."""

    __tablename__ = "report_answer"
    __audit__ = True
    __table_args__ = (UniqueConstraint("task_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("report_task.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    status: Mapped[AnswerStatus] = mapped_column(label_enum(AnswerStatus), default=AnswerStatus.PENDING, index=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)   # a form's answers, by question number
    rows: Mapped[list] = mapped_column(JSON, default=list)     # a table's rows, in the template's columns
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_comment: Mapped[str] = mapped_column(Text, default="")
    reminders: Mapped[int] = mapped_column(default=0)
    reminded_on: Mapped[date | None] = mapped_column(Date)  # the county day of the last reminder: one a day
    # The last submit's one-time key: a resent or double-tapped 报送 is recognised and stored once.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    task: Mapped[ReportTask] = relationship(back_populates="answers")
    school: Mapped[School] = relationship()
    attachment: Mapped[Attachment | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()
