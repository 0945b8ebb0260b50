import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Timestamped


class SchoolKind(enum.Enum):
    KINDERGARTEN = "幼儿园"
    PRIMARY = "小学"
    JUNIOR = "初中"
    NINE_YEAR = "九年一贯制"
    COMPLETE_SECONDARY = "完全中学"
    SENIOR = "高中"
    TEACHING_POINT = "教学点"
    SPECIAL = "特殊教育学校"
    VOCATIONAL = "职业学校"


def kinds_in_words(names) -> str:
    """SchoolKind names as the pages write them: ["JUNIOR", "PRIMARY"] -> "小学、初中", in SchoolKind's order."""
    return "、".join(kind.value for kind in SchoolKind if kind.name in (names or ()))


class Ownership(enum.Enum):
    PUBLIC = "公办"
    PRIVATE = "民办"


def label_enum(enum_cls, **kw):
    """Store the enum's name (ASCII, stable) in a VARCHAR; labels stay in Python."""
    return Enum(enum_cls, native_enum=False, length=24, validate_strings=True, **kw)


class School(Timestamped, db.Model):
    __tablename__ = "school"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[SchoolKind] = mapped_column(label_enum(SchoolKind))
    ownership: Mapped[Ownership] = mapped_column(label_enum(Ownership), default=Ownership.PUBLIC)
    township: Mapped[str] = mapped_column(String(40), default="")
    education_group: Mapped[str] = mapped_column(String(40), default="")
    is_project_school: Mapped[bool] = mapped_column(default=False)
    students: Mapped[int] = mapped_column(default=0)
    classes: Mapped[int] = mapped_column(default=0)
    teachers: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def school_id(self) -> int:
        """A school is in its own scope (see security.scope_of)."""
        return self.id

    def __str__(self) -> str:
        return self.name
