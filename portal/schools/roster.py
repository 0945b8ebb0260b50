"""The school roster as an Excel workbook. The same columns go out (export) and come back in
(import), so an exported file re-imports with nothing changed.

Import is all or nothing: every row is checked, against the other rows and the database, and
only a file without a single bad row touches the session. Nothing here commits.
"""
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from wtforms.validators import Length, NumberRange, Regexp

from .. import excel
from ..extensions import db
from ..models import Ownership, School, SchoolKind
from .forms import SchoolForm

MAX_BYTES = 5 * 1024 * 1024       # a county's roster is well under 1 MB
MAX_UNPACKED = 50 * 1024 * 1024   # what the zip may inflate to: no zip bombs
MAX_ROWS = 5000                   # a county has a few hundred schools
SHEET_TITLE = "学校名单"


RosterError = excel.WorkbookError  # the file as a whole cannot be used (not an xlsx, too big, no header)


class Outcome(excel.Outcome):
    @property
    def summary(self) -> str:
        return f"新增 {self.created} 所，更新 {self.updated} 所，未变 {self.unchanged} 所"


def _rule(name: str, kind):
    """SchoolForm's own validator for a field: the form and the workbook accept the same values."""
    return next(v for v in getattr(SchoolForm, name).kwargs["validators"] if isinstance(v, kind))


def _text_reader(name: str, required: bool = False, pattern: bool = False) -> Callable:
    length = _rule(name, Length)
    regexp = _rule(name, Regexp) if pattern else None

    def read(value) -> str:
        text = excel.text(value)
        if not text and required:
            raise excel.Invalid("必填，不能为空")
        if len(text) > length.max:
            raise excel.Invalid(f"{excel.quoted(text)}太长（{length.message}）")
        if regexp and not regexp.regex.match(text):
            raise excel.Invalid(f"{excel.quoted(text)}格式不对（{regexp.message}）")
        return text

    return read


def _choice_reader(enum_cls, noun: str) -> Callable:
    members = {member.value: member for member in enum_cls}

    def read(value):
        text = excel.text(value)
        if not text:
            raise excel.Invalid("必填，不能为空")
        if text not in members:
            raise excel.Invalid(f"{excel.quoted(text)}不是有效的{noun}（可选：{'、'.join(members)}）")
        return members[text]

    return read


def _flag_reader(yes: str, no: str, blank: bool) -> Callable:
    def read(value) -> bool:
        text = excel.text(value)
        if not text:
            return blank
        if text not in (yes, no):
            raise excel.Invalid(f"{excel.quoted(text)}无效，请填“{yes}”或“{no}”")
        return text == yes

    return read


def _number_reader(name: str) -> Callable:
    limits = _rule(name, NumberRange)

    def read(value) -> int:
        text = excel.text(value)
        if not text:
            return 0
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise excel.Invalid(f"{excel.quoted(text)}不是整数（{limits.message}）")
        number = int(text)
        if not limits.min <= number <= limits.max:
            raise excel.Invalid(f"{number} 超出范围（{limits.message}）")
        return number

    return read


def _label(member) -> str:
    return member.value


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    read: Callable              # cell value -> model value, or excel.Invalid
    write: Callable = excel.text     # model value -> cell value
    choices: tuple = ()         # offered as a drop-down list in the workbook
    optional: bool = False      # the file may leave the whole column out


def _flag_column(header: str, attr: str, yes: str, no: str, blank: bool, **kwargs) -> Column:
    return Column(header, attr, _flag_reader(yes, no, blank), lambda value: yes if value else no, (yes, no), **kwargs)


COLUMNS = (
    Column("学校代码", "code", _text_reader("code", required=True, pattern=True)),
    Column("学校名称", "name", _text_reader("name", required=True)),
    Column("学校类型", "kind", _choice_reader(SchoolKind, "学校类型"), _label, tuple(k.value for k in SchoolKind)),
    Column("办学性质", "ownership", _choice_reader(Ownership, "办学性质"), _label, tuple(o.value for o in Ownership)),
    Column("所在乡镇", "township", _text_reader("township")),
    Column("教育集团", "education_group", _text_reader("education_group")),
    _flag_column("公办强校", "is_project_school", "是", "否", blank=False),
    Column("学生数", "students", _number_reader("students"), int),
    Column("班级数", "classes", _number_reader("classes"), int),
    Column("教师数", "teachers", _number_reader("teachers"), int),
    # Left out, existing schools keep their status; left blank, a row means 在册.
    _flag_column("状态", "active", "在册", "停用", blank=True, optional=True),
)
HEADERS = tuple(column.header for column in COLUMNS)


# Reading ------------------------------------------------------------------------------------

def _rows(data: bytes) -> list[tuple[int, tuple]]:
    """The first sheet's non-blank rows with their Excel row numbers."""
    with excel.opened(data, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED, usual="学校名单通常不到 1 MB") as book:
        return excel.rows(book.worksheets[0], MAX_ROWS, f"数据超过 {MAX_ROWS} 行，请分批导入。")


def read(data: bytes) -> tuple[list[tuple[int, dict]], list[excel.RowError]]:
    """Every data row as model values, and the problems found in single cells."""
    rows = _rows(data)
    if not rows:
        raise RosterError("工作表是空的：第一行应是表头，下面每行一所学校。")
    (header_row, header), body = rows[0], rows[1:]
    if not body:
        raise RosterError("表头下面没有学校数据。")
    positions = excel.header(header_row, header, HEADERS, [c.header for c in COLUMNS if not c.optional],
                             note="「状态」可省略；")
    readers = {column.header: column.read for column in COLUMNS if column.header in positions}
    attrs = {column.header: column.attr for column in COLUMNS}
    entries, errors = [], []
    for number, values in body:
        record = excel.checked(number, readers, excel.by_header(values, positions), errors)
        entries.append((number, {attrs[header]: value for header, value in record.items()}))
    return entries, errors


def _conflicts(entries: list[tuple[int, dict]], schools: list[School]) -> list[excel.RowError]:
    """Codes and names used twice in the file, and names that belong to another existing school.

    Compared without case, as SchoolForm does.
    """
    errors = []
    for attr, header in (("code", "学校代码"), ("name", "学校名称")):
        first: dict[str, int] = {}
        for number, record in entries:
            if key := record.get(attr, "").lower():
                if key in first:
                    errors.append(excel.RowError(number, header, f"{excel.quoted(record[attr])}与第 {first[key]} 行重复"))
                first.setdefault(key, number)
    owner = {school.name.lower(): school.code for school in schools}
    for number, record in entries:
        code = owner.get(record.get("name", "").lower())
        if code is not None and "code" in record and code.lower() != record["code"].lower():
            errors.append(excel.RowError(number, "学校名称", f"{excel.quoted(record['name'])}已是学校代码 {code} 的名称，学校名称不能重复"))
    return errors


def import_roster(data: bytes) -> Outcome:
    """Check the whole file; when every row is good, create and update schools in the session.

    Schools are matched by code. Only fields that differ are set, so the audit log shows real
    changes. Schools not in the file are left alone. RosterError when the file cannot be used.
    """
    entries, errors = read(data)
    schools = list(db.session.scalars(select(School)))
    errors += _conflicts(entries, schools)
    if errors:
        order = {header: i for i, header in enumerate(HEADERS)}
        return Outcome(errors=sorted(errors, key=lambda e: (e.row, order[e.column])))
    outcome = Outcome()
    by_code = {school.code.lower(): school for school in schools}
    for _, record in entries:
        school = by_code.get(record["code"].lower())
        if school is None:
            db.session.add(School(**record))
            outcome.created += 1
            continue
        outcome.update(school, record)
    return outcome


# Writing ------------------------------------------------------------------------------------

def _workbook(rows: list[list]) -> excel.Book:
    book = excel.Book()
    book.table(SHEET_TITLE, HEADERS, rows, pickers={column.header: column.choices for column in COLUMNS if column.choices},
               as_text=(HEADERS[0],))
    return book


def export(schools: Iterable[School]) -> excel.Book:
    """The schools as a workbook that import_roster() reads back unchanged."""
    return _workbook([[column.write(getattr(school, column.attr)) for column in COLUMNS] for school in schools])


def template() -> excel.Book:
    """The headers and one example row (never saved), for filling in by hand."""
    example = School(code="360101", name="示例实验小学", kind=SchoolKind.PRIMARY, ownership=Ownership.PUBLIC,
                     township="城东街道", education_group="东部教育集团", is_project_school=False,
                     students=800, classes=18, teachers=52, active=True)
    return export([example])
