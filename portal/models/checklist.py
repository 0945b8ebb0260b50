"""Checklist templates (督导检查表): a template has numbered versions; a version is a tree of
sections (一级指标) and items (二级指标/评估要点). A published version never changes again."""
import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint, event, inspect, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .base import Timestamped, UTCDateTime
from .school import label_enum


class AnswerType(enum.Enum):
    POINTS = "计分"
    RATING = "达标/基本达标/未达标"
    GRADE = "优/良/合格/不合格"
    YES_NO = "是/否"


class EvidenceRule(enum.Enum):
    NONE = "不要求"
    PHOTO = "未达标须拍照"
    NOTE = "未达标须说明"
    BOTH = "未达标须拍照并说明"


class VersionStatus(enum.Enum):
    DRAFT = "草稿"
    PUBLISHED = "已发布"
    RETIRED = "已停用"


class TemplateKind(enum.Enum):
    CHECKLIST = "检查表"      # 督导检查表, filled in at a school
    RUBRIC = "听课评价表"     # 推门听课 classroom observation rubric


DEFAULT_BANDS = [[90, "优秀"], [80, "良好"], [60, "合格"]]
NO_KINDS = text("'[]'")  # a JSON empty list, as the column's server default
DEFAULT_BELOW = "不合格"  # the result below the last band (a version's `below_band`)


class ChecklistTemplate(Timestamped, db.Model):
    __tablename__ = "checklist_template"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[TemplateKind] = mapped_column(label_enum(TemplateKind), default=TemplateKind.CHECKLIST,
                                               server_default=TemplateKind.CHECKLIST.name)
    # The kinds of school (SchoolKind names) the checklist is written for; empty: every kind.
    school_kinds: Mapped[list] = mapped_column(JSON, default=list, server_default=NO_KINDS)

    versions: Mapped[list["TemplateVersion"]] = relationship(
        back_populates="template", order_by="TemplateVersion.number", cascade="all, delete-orphan")

    def fits(self, kind) -> bool:
        """Whether a school of this kind (a SchoolKind) may be inspected with this template."""
        return not self.school_kinds or kind.name in self.school_kinds


class TemplateVersion(Timestamped, db.Model):
    __tablename__ = "template_version"
    __audit__ = True
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[VersionStatus] = mapped_column(label_enum(VersionStatus), default=VersionStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Result bands, highest first: [[percent, name], ...]; below the last band: `below_band`.
    bands: Mapped[list] = mapped_column(JSON, default=lambda: [list(b) for b in DEFAULT_BANDS])
    below_band: Mapped[str] = mapped_column(String(20), default=DEFAULT_BELOW, server_default=DEFAULT_BELOW)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="versions")
    sections: Mapped[list["Section"]] = relationship(
        back_populates="version", order_by="Section.position", cascade="all, delete-orphan")

    @property
    def frozen(self) -> bool:
        return self.status is not VersionStatus.DRAFT


class Section(db.Model):
    __tablename__ = "checklist_section"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))

    version: Mapped[TemplateVersion] = relationship(back_populates="sections")
    items: Mapped[list["Item"]] = relationship(
        back_populates="section", order_by="Item.position", cascade="all, delete-orphan")


class Item(db.Model):
    __tablename__ = "checklist_item"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("checklist_section.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    standard: Mapped[str] = mapped_column(Text, default="")  # 评分标准
    answer_type: Mapped[AnswerType] = mapped_column(label_enum(AnswerType), default=AnswerType.POINTS)
    max_points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    na_allowed: Mapped[bool] = mapped_column(default=False)
    critical: Mapped[bool] = mapped_column(default=False)  # 一票否决
    # Kinds of school (SchoolKind names) the item does not apply to: N/A there, left out of the score.
    na_kinds: Mapped[list] = mapped_column(JSON, default=list, server_default=NO_KINDS)
    evidence: Mapped[EvidenceRule] = mapped_column(label_enum(EvidenceRule), default=EvidenceRule.NONE)

    section: Mapped[Section] = relationship(back_populates="items")


class FrozenVersionError(RuntimeError):
    """A published template version was about to change."""


def _version_of(obj) -> TemplateVersion | None:
    if isinstance(obj, TemplateVersion):
        return obj
    if isinstance(obj, Section):
        return obj.version
    if isinstance(obj, Item):
        return obj.section.version if obj.section is not None else None
    return None


def _was_frozen(session, version: TemplateVersion) -> bool:
    """Published before this flush (a version created as published is still being written)."""
    if version in session.new:
        return False
    history = inspect(version).attrs.status.history
    before = history.deleted[0] if history.deleted else version.status
    return before is not VersionStatus.DRAFT


STATUS_FIELDS = {"status", "published_at", "updated_at"}


@event.listens_for(Session, "before_flush")
def refuse_changes_to_published_versions(session, _context, _instances):
    """Once published, a version never changes (it may only be retired): edits go to a new draft."""
    for obj in list(session.dirty) + list(session.deleted) + list(session.new):
        version = _version_of(obj)
        if version is None or not _was_frozen(session, version):
            continue
        if obj is version and obj not in session.deleted:
            changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
            if changed <= STATUS_FIELDS:
                continue
        elif obj not in session.new and obj not in session.deleted and not session.is_modified(obj):
            continue
        raise FrozenVersionError(f"模板第 {version.number} 版已发布，不能修改；请在新版本中编辑。")
