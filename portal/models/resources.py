"""Resource figures (办学资源数据): per school, year and level, the raw numbers behind the seven
balanced-quality (优质均衡) indicators. A 九年一贯制 school has a 小学 row and an 初中 row, one per
part; the rules that turn the figures into indicators live in balance/indicators.py."""
import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped
from .school import School, label_enum


class Level(enum.Enum):
    PRIMARY = "小学"
    JUNIOR = "初中"


class ResourceFigures(Timestamped, db.Model):
    __tablename__ = "resource_figures"
    __audit__ = True
    __table_args__ = (UniqueConstraint("school_id", "year", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))  # leads the unique key
    year: Mapped[int] = mapped_column(index=True)       # 统计年度
    level: Mapped[Level] = mapped_column(label_enum(Level))
    students: Mapped[int]                                # 在校学生数 (of this part)
    qualified_teachers: Mapped[int]                      # 高于规定学历教师数
    backbone_teachers: Mapped[int]                       # 县级以上骨干教师数
    pe_arts_teachers: Mapped[int]                        # 体育、艺术（美术、音乐）专任教师数
    teaching_area: Mapped[Decimal] = mapped_column(Numeric(12, 2))    # 教学及辅助用房面积 ㎡
    sports_area: Mapped[Decimal] = mapped_column(Numeric(12, 2))      # 体育运动场馆面积 ㎡
    equipment_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # 教学仪器设备值 元
    media_classrooms: Mapped[int]                        # 网络多媒体教室数

    school: Mapped[School] = relationship()


class BalanceRule(Timestamped, db.Model):
    """The office's settings for the assessment (one row; absent means the defaults of the 办法)."""

    __tablename__ = "balance_rule"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    remaining_rule: Mapped[bool] = mapped_column(default=True)    # the 7th indicator at least a share of its threshold
    remaining_share: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0.85"))
    goal_primary: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))  # the county's own stricter 差异系数 goal
    goal_junior: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))
