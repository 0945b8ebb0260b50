"""A school's classes (年级/班级) with an optional timetable, and its teachers: what an observer
draws a class from and picks a teacher from. Kept by the school (principal) or the office."""
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped
from .school import School

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


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
