"""A school's classes, timetable and teachers as one Excel workbook (班级, 课表, 教师 sheets). What
export() writes, read_into() reads back unchanged.

Import is all or nothing: every row of every sheet is checked, and only a file without a single
bad row touches the session. Classes are matched by 年级 + 班级 and teachers by 姓名 (new ones are
added, existing ones updated, none removed); a class named in the 课表 sheet gets exactly the file's
timetable. Nothing here commits.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from .. import excel
from ..extensions import db
from ..models import School, SchoolClass, Teacher, TimetableSlot
from ..models.classroom import WEEKDAYS

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED = 20 * 1024 * 1024
MAX_ROWS = 3000
CLASSES, TIMETABLE, TEACHERS = "班级", "课表", "教师"
HEADERS = {CLASSES: ("年级", "班级"), TIMETABLE: ("年级", "班级", "星期", "节次", "学科"), TEACHERS: ("姓名", "任教学科")}
Invalid, RowError = excel.Invalid, excel.RowError


@dataclass
class Outcome(excel.Outcome):
    classes: int = 0
    teachers: int = 0
    slots: int = 0

    @property
    def summary(self) -> str:
        return f"新增班级 {self.classes} 个，新增或更新教师 {self.teachers} 人，写入课表 {self.slots} 节"


def _text(limit: int, required: bool = True) -> Callable:
    def read(value) -> str:
        text = excel.text(value)
        if required and not text:
            raise Invalid("必填，不能为空")
        if len(text) > limit:
            raise Invalid(f"最多 {limit} 个字")
        return text

    return read


def _weekday(value) -> int:
    text = excel.text(value).replace("周", "星期")
    if text in WEEKDAYS:
        return WEEKDAYS.index(text) + 1
    if re.fullmatch(r"[1-7]", text):
        return int(text)
    raise Invalid(f"“{text}”不是星期几（填 1-7 或 星期一…星期日）")


def _period(value) -> int:
    text = excel.text(value)
    if re.fullmatch(r"[0-9]{1,2}", text) and 1 <= int(text) <= 12:
        return int(text)
    raise Invalid(f"“{text}”不是 1 到 12 之间的节次")


READERS = {"年级": _text(20), "班级": _text(20), "学科": _text(20), "姓名": _text(40), "任教学科": _text(20, required=False),
           "星期": _weekday, "节次": _period}


def _sheet_rows(book, name: str, errors: list[RowError]) -> list[tuple[int, dict]]:
    """A sheet's data rows as {header: value}; the sheet may be missing (nothing to import there)."""
    if name not in book.sheetnames:
        return []
    rows = excel.rows(book[name], MAX_ROWS, f"「{name}」超过 {MAX_ROWS} 行，请检查文件。")
    if not rows:
        return []
    (number, header), body = rows[0], rows[1:]
    positions = {excel.text(value): index for index, value in enumerate(header)}
    missing = [h for h in HEADERS[name] if h not in positions]
    if missing:
        errors.append(RowError(number, "表头", f"缺少列：{'、'.join(missing)}（应为：{'、'.join(HEADERS[name])}）", name))
        return []
    readers, positions = {h: READERS[h] for h in HEADERS[name]}, {h: positions[h] for h in HEADERS[name]}
    return [(number, excel.checked(number, readers, excel.by_header(values, positions), errors, name))
            for number, values in body]


def _twice(rows, key, sheet: str, column: str, what: str) -> list[RowError]:
    first, errors = {}, []
    for number, record in rows:
        try:
            value = key(record)
        except KeyError:
            continue
        if value in first:
            errors.append(RowError(number, column, f"{what}与第 {first[value]} 行重复", sheet))
        first.setdefault(value, number)
    return errors


def read_into(school: School, data: bytes) -> Outcome:
    """Check the whole workbook; when every row is good, apply it to the school's lists."""
    errors: list[RowError] = []
    with excel.opened(data, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED, usual="班级和教师名单通常不到 200 KB") as book:
        if not any(name in book.sheetnames for name in HEADERS):
            raise excel.WorkbookError(f"没有找到「{CLASSES}」「{TIMETABLE}」「{TEACHERS}」工作表，请下载导入模板对照。")
        sheets = {name: _sheet_rows(book, name, errors) for name in HEADERS}
    existing = {(c.grade, c.name): c for c in db.session.scalars(select(SchoolClass).where(SchoolClass.school_id == school.id))}
    known = set(existing) | {(r["年级"], r["班级"]) for _, r in sheets[CLASSES] if "年级" in r and "班级" in r}
    errors += _twice(sheets[CLASSES], lambda r: (r["年级"], r["班级"]), CLASSES, "班级", "该班级")
    errors += _twice(sheets[TEACHERS], lambda r: r["姓名"], TEACHERS, "姓名", "该教师")
    errors += _twice(sheets[TIMETABLE], lambda r: (r["年级"], r["班级"], r["星期"], r["节次"]), TIMETABLE, "节次",
                     "同一班级同一节")
    errors += [RowError(number, "班级", f"“{r['年级']}{r['班级']}”不在本校班级中，请先在「{CLASSES}」工作表列出", TIMETABLE)
               for number, r in sheets[TIMETABLE] if "年级" in r and "班级" in r and (r["年级"], r["班级"]) not in known]
    if errors:
        return Outcome(errors=sorted(errors, key=lambda e: (list(HEADERS).index(e.sheet), e.row)))
    return _apply(school, sheets, existing)


def _apply(school: School, sheets: dict, existing: dict) -> Outcome:
    outcome = Outcome()
    for _, r in sheets[CLASSES]:
        if (r["年级"], r["班级"]) not in existing:
            existing[(r["年级"], r["班级"])] = SchoolClass(school_id=school.id, grade=r["年级"], name=r["班级"])
            db.session.add(existing[(r["年级"], r["班级"])])
            outcome.classes += 1
    teachers = {t.name: t for t in db.session.scalars(select(Teacher).where(Teacher.school_id == school.id))}
    for _, r in sheets[TEACHERS]:
        teacher = teachers.get(r["姓名"])
        if teacher is None:
            db.session.add(Teacher(school_id=school.id, name=r["姓名"], subject=r["任教学科"]))
        elif teacher.subject == r["任教学科"]:
            continue
        else:
            teacher.subject = r["任教学科"]
        outcome.teachers += 1
    timetables: dict[tuple, list] = {}
    for _, r in sheets[TIMETABLE]:
        timetables.setdefault((r["年级"], r["班级"]), []).append(
            TimetableSlot(weekday=r["星期"], period=r["节次"], subject=r["学科"]))
    for key, slots in timetables.items():
        school_class = existing[key]
        school_class.slots = []
        db.session.flush()  # the old slots go before the new ones take their (weekday, period)
        school_class.slots = sorted(slots, key=lambda s: (s.weekday, s.period))
        outcome.slots += len(slots)
    return outcome


def export(classes: list[SchoolClass], teachers: list[Teacher]) -> excel.Book:
    """The school's lists in the import's sheets; example rows when it has none yet."""
    if not classes and not teachers:
        classes = [SchoolClass(grade="七年级", name="1班", slots=[TimetableSlot(weekday=1, period=1, subject="语文")])]
        teachers = [Teacher(name="王晓燕", subject="语文")]
    book = excel.Book()
    book.table(CLASSES, list(HEADERS[CLASSES]), [[c.grade, c.name] for c in classes])
    book.table(TIMETABLE, list(HEADERS[TIMETABLE]),
               [[c.grade, c.name, WEEKDAYS[s.weekday - 1], s.period, s.subject] for c in classes for s in c.slots])
    book.table(TEACHERS, list(HEADERS[TEACHERS]), [[t.name, t.subject] for t in teachers])
    return book
