"""The school's three-year development plan (一校一规划): goals by the nine dimensions of the 公办强校
programme, milestones with dates and evidence, the office's approval, revisions after it, the
school's annual self-assessment and the office's mid-term and final evaluation.

Who may move a plan from which state to which is in portal/plans/workflow.py; what counts as done,
overdue or on time is in portal/plans/progress.py (已逾期 is derived from the date, never stored).
"""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .attachment import Attachment
from .base import Timestamped, UTCDateTime, utcnow
from .school import School, label_enum
from .user import User


class Dimension(enum.Enum):
    """The nine dimensions of a plan, in the programme's order."""
    DIRECTION = "明确办学方向"
    CONDUCT = "规范办学行为"
    MANAGEMENT = "提升学校管理"
    TEACHING = "提高课程教学质量"
    RESEARCH = "加强教育科研支撑"
    GROUP = "发展集团(分校)带动"
    TEACHERS = "教师发展专业成长"
    STUDENTS = "学生健康发展"
    EVALUATION = "评价监测保障"

    @property
    def short(self) -> str:
        """Four characters for a board's column head."""
        return SHORT[self]


ORDER = {dimension: n for n, dimension in enumerate(Dimension)}
SHORT = dict(zip(Dimension, ("办学方向", "办学行为", "学校管理", "课程教学", "教育科研", "集团带动", "教师发展",
                             "学生发展", "评价监测")))


class PlanStatus(enum.Enum):
    DRAFT = "草稿"
    SUBMITTED = "待审核"
    RETURNED = "已退回"
    APPROVED = "已批准"


class MilestoneStatus(enum.Enum):
    NOT_STARTED = "未开始"
    IN_PROGRESS = "进行中"
    DONE = "已完成"
    OVERDUE = "已逾期"   # shown only: derived from the date (progress.shown), refused by the table
    NOT_MET = "未达成"


class PlanStep(enum.Enum):
    CREATE = "创建"
    SUBMIT = "提交审核"
    RETURN = "退回修改"
    APPROVE = "批准"


class GoalRating(enum.Enum):
    MET = "达成"
    PARTLY = "基本达成"
    NOT_MET = "未达成"


class EvaluationKind(enum.Enum):
    MIDTERM = "中期评估"
    FINAL = "终期评估"


class Rating(enum.Enum):
    EXCELLENT = "优秀"
    GOOD = "良好"
    PASS = "合格"
    FAIL = "不合格"


# A rectification item and the plan milestone that addresses it (at most one per item).
milestone_rectification = Table(
    "milestone_rectification", db.metadata,
    Column("rectification_id", ForeignKey("rectification_item.id", ondelete="CASCADE"), primary_key=True),
    Column("milestone_id", ForeignKey("plan_milestone.id", ondelete="CASCADE"), nullable=False, index=True),
)


class Plan(Timestamped, db.Model):
    """One school's plan for one period of three school years, from September of `start_year`."""

    __tablename__ = "plan"
    __audit__ = True
    __table_args__ = (UniqueConstraint("school_id", "start_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    start_year: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[PlanStatus] = mapped_column(label_enum(PlanStatus), default=PlanStatus.DRAFT, index=True)
    # The expert inspector the office assigns to review it (the office may always review).
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The goals and milestones as approved (progress.snapshot): revisions never change it.
    baseline: Mapped[dict | None] = mapped_column(JSON)
    # The creating form's one-time key: a second tap finds this plan instead of refusing a duplicate.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    school: Mapped[School] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    based_on: Mapped["Plan | None"] = relationship(remote_side=[id])
    goals: Mapped[list["Goal"]] = relationship(back_populates="plan", order_by="[Goal.dimension_order, Goal.id]",
                                               cascade="all, delete-orphan")
    events: Mapped[list["PlanEvent"]] = relationship(back_populates="plan", order_by="PlanEvent.id",
                                                     cascade="all, delete-orphan")
    revisions: Mapped[list["PlanRevision"]] = relationship(back_populates="plan", order_by="PlanRevision.id",
                                                           cascade="all, delete-orphan")
    evaluations: Mapped[list["PlanEvaluation"]] = relationship(back_populates="plan", order_by="PlanEvaluation.id",
                                                               cascade="all, delete-orphan")

    @property
    def period(self) -> str:
        return f"{self.start_year}—{self.start_year + 2}学年"

    @property
    def starts_on(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def ends_on(self) -> date:
        return date(self.start_year + 3, 8, 31)

    @property
    def milestones(self) -> list["Milestone"]:
        return [milestone for goal in self.goals for milestone in goal.milestones]

    def __str__(self) -> str:
        return self.title


class PlanEvent(db.Model):
    """One step of the plan's workflow: who, when, and the comment (a return's reason)."""

    __tablename__ = "plan_event"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    step: Mapped[PlanStep] = mapped_column(label_enum(PlanStep))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
    # The form's one-time key: a resent submit or review is recognised and changes nothing.
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    plan: Mapped[Plan] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    comments: Mapped[list["GoalComment"]] = relationship(back_populates="event", cascade="all, delete-orphan")

    @property
    def school_id(self) -> int:
        return self.plan.school_id


class Goal(db.Model):
    __tablename__ = "plan_goal"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[Dimension] = mapped_column(label_enum(Dimension))
    dimension_order: Mapped[int] = mapped_column(default=0)  # the dimension's place in the programme's order (ORDER BY)
    text: Mapped[str] = mapped_column(Text)
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="goals")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="goal", order_by="[Milestone.due_date, Milestone.id]", cascade="all, delete-orphan")
    comments: Mapped[list["GoalComment"]] = relationship(back_populates="goal", order_by="GoalComment.id",
                                                         cascade="all, delete-orphan")
    assessments: Mapped[list["SelfAssessment"]] = relationship(back_populates="goal", order_by="SelfAssessment.year",
                                                               cascade="all, delete-orphan")

    @validates("dimension")
    def _order(self, _key, dimension: Dimension) -> Dimension:
        self.dimension_order = ORDER[dimension]
        return dimension

    @property
    def school_id(self) -> int:
        return self.plan.school_id


class GoalComment(db.Model):
    """The reviewer's word on one goal, given with a return or an approval."""

    __tablename__ = "plan_goal_comment"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("plan_event.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)

    goal: Mapped[Goal] = relationship(back_populates="comments")
    event: Mapped[PlanEvent] = relationship(back_populates="comments")

    @property
    def school_id(self) -> int:
        return self.goal.plan.school_id


class Milestone(Timestamped, db.Model):
    __tablename__ = "plan_milestone"
    __audit__ = True
    __table_args__ = (CheckConstraint("status != 'OVERDUE'", name="overdue_is_derived"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date, index=True)  # a calendar day in the county's time zone
    term: Mapped[str | None] = mapped_column(String(6))       # "2026-1" when set as a semester (due: its last day)
    owner: Mapped[str] = mapped_column(String(40), default="")
    result: Mapped[str] = mapped_column(Text, default="")     # the measurable result (可测成果)
    status: Mapped[MilestoneStatus] = mapped_column(label_enum(MilestoneStatus), default=MilestoneStatus.NOT_STARTED)
    done_on: Mapped[date | None] = mapped_column(Date)        # the county's date it was marked done
    note: Mapped[str] = mapped_column(Text, default="")       # the latest update's note
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    goal: Mapped[Goal] = relationship(back_populates="milestones")
    updates: Mapped[list["MilestoneUpdate"]] = relationship(
        back_populates="milestone", order_by="MilestoneUpdate.id", cascade="all, delete-orphan")
    files: Mapped[list["PlanFile"]] = relationship(back_populates="milestone", order_by="PlanFile.id",
                                                   cascade="all, delete-orphan")

    @property
    def school_id(self) -> int:
        return self.goal.plan.school_id


class MilestoneUpdate(db.Model):
    """One progress update by the school: the status it set and a short note (a history line)."""

    __tablename__ = "plan_milestone_update"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("plan_milestone.id", ondelete="CASCADE"), index=True)
    status: Mapped[MilestoneStatus] = mapped_column(label_enum(MilestoneStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    milestone: Mapped[Milestone] = relationship(back_populates="updates")
    actor: Mapped[User | None] = relationship()

    @property
    def school_id(self) -> int:
        return self.milestone.goal.plan.school_id


class PlanFile(db.Model):
    """Evidence for a milestone: a photo (downscaled, with a thumbnail) or a PDF/Office document."""

    __tablename__ = "plan_file"
    __audit__ = True
    __table_args__ = (UniqueConstraint("milestone_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("plan_milestone.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="RESTRICT"))
    client_key: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="files")
    attachment: Mapped[Attachment] = relationship(foreign_keys=[attachment_id])
    thumbnail: Mapped[Attachment | None] = relationship(foreign_keys=[thumbnail_id])

    @property
    def school_id(self) -> int:
        return self.milestone.goal.plan.school_id


class PlanRevision(db.Model):
    """A change to an approved plan's goals or milestones: who, why, and what changed (from → to)."""

    __tablename__ = "plan_revision"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[list] = mapped_column(JSON, default=list)  # ["里程碑“…”的完成时间：2026-06-30 → 2026-09-30", ...]

    plan: Mapped[Plan] = relationship(back_populates="revisions")
    actor: Mapped[User | None] = relationship()

    @property
    def school_id(self) -> int:
        return self.plan.school_id


class SelfAssessment(Timestamped, db.Model):
    """The school's annual self-assessment (年度自评) of one goal in one plan year (1-3)."""

    __tablename__ = "plan_self_assessment"
    __audit__ = True
    __table_args__ = (UniqueConstraint("goal_id", "year"), CheckConstraint("year BETWEEN 1 AND 3", name="plan_year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    rating: Mapped[GoalRating] = mapped_column(label_enum(GoalRating))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    goal: Mapped[Goal] = relationship(back_populates="assessments")
    author: Mapped[User | None] = relationship()

    @property
    def school_id(self) -> int:
        return self.goal.plan.school_id


class PlanEvaluation(Timestamped, db.Model):
    """The office's mid-term or final evaluation: a rating per dimension and a written conclusion."""

    __tablename__ = "plan_evaluation"
    __audit__ = True
    __table_args__ = (UniqueConstraint("plan_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvaluationKind] = mapped_column(label_enum(EvaluationKind))
    conclusion: Mapped[str] = mapped_column(Text)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    plan: Mapped[Plan] = relationship(back_populates="evaluations")
    evaluator: Mapped[User | None] = relationship()
    ratings: Mapped[list["EvaluationRating"]] = relationship(
        back_populates="evaluation", order_by="EvaluationRating.dimension_order", cascade="all, delete-orphan")

    @property
    def school_id(self) -> int:
        return self.plan.school_id


class EvaluationRating(db.Model):
    __tablename__ = "plan_evaluation_rating"
    __audit__ = True

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("plan_evaluation.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[Dimension] = mapped_column(label_enum(Dimension), primary_key=True)
    dimension_order: Mapped[int] = mapped_column(default=0)
    rating: Mapped[Rating] = mapped_column(label_enum(Rating))

    evaluation: Mapped[PlanEvaluation] = relationship(back_populates="ratings")

    @validates("dimension")
    def _order(self, _key, dimension: Dimension) -> Dimension:
        self.dimension_order = ORDER[dimension]
        return dimension

    @property
    def school_id(self) -> int:
        return self.evaluation.plan.school_id
