"""A school's classes (年级/班级) with an optional timetable, and its teachers: what an observer
draws a class from and picks a teacher from. Kept by the school (principal) or the office."""
import re

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped
from .school import School

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
GRADE_ORDER = ("小班", "中班", "大班", "一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级",
               "九年级", "高一", "高二", "高三")


class SchoolClass(Timestamped, db.Model):
    __tablename__ = "school_class"
    __audit__ = True
    __table_args__ = (UniqueConstraint("school_id", "grade", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(String(20))   # 七年级
    name: Mapped[str] = mapped_column(String(20))    # 3班

    school: Mapped[School] = relationship()
    slots: Mapped[list["TimetableSlot"]] = relationship(
        back_populates="school_class", order_by="(TimetableSlot.weekday, TimetableSlot.period)",
        cascade="all, delete-orphan")

    @property
    def label(self) -> str:
        return f"{self.grade}{self.name}"

    @property
    def order(self) -> tuple:
        """一年级 before 二年级 (not as text, where 三 comes before 二), 2班 before 10班."""
        grade = GRADE_ORDER.index(self.grade) if self.grade in GRADE_ORDER else len(GRADE_ORDER)
        number = re.match(r"\d+", self.name)
        return grade, self.grade, int(number.group()) if number else 0, self.name


class TimetableSlot(db.Model):
    """Which subject a class has on a weekday (1 = Monday) in a period (第几节)."""

    __tablename__ = "timetable_slot"
    __audit__ = True
    __table_args__ = (UniqueConstraint("class_id", "weekday", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    period: Mapped[int]
    subject: Mapped[str] = mapped_column(String(20))

    school_class: Mapped[SchoolClass] = relationship(back_populates="slots")

    @property
    def school_id(self) -> int:
        return self.school_class.school_id


class Teacher(Timestamped, db.Model):
    __tablename__ = "teacher"
    __audit__ = True
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(20), default="")

    school: Mapped[School] = relationship()
