"""The school roster in Excel: read and check every row, apply all or nothing, write it back out.

The same columns go out (export) and come in (import), so an export re-imports with no change.
"""
import io
import re
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ..extensions import db
from ..models import Ownership, School, SchoolKind

COLUMNS = [  # (attribute, header, required)
    ("code", "学校代码", True), ("name", "学校名称", True), ("kind", "学校类型", True),
    ("ownership", "办学性质", True), ("township", "所在乡镇", False), ("education_group", "教育集团", False),
    ("is_project_school", "公办强校", False), ("students", "学生数", False), ("classes", "班级数", False),
    ("teachers", "教师数", False), ("active", "状态", False),
]
NUMBER_LIMITS = {"students": 20000, "classes": 500, "teachers": 2000}
MAX_ROWS = 5000
YES, NO = {"是", "Y", "y", "1", "TRUE", "True", "true"}, {"否", "N", "n", "0", "FALSE", "False", "false", ""}
STATUS = {"在册": True, "": True, "停用": False, "已停用": False}
KINDS = {kind.value: kind for kind in SchoolKind}
OWNERSHIPS = {o.value: o for o in Ownership}
CODE = re.compile(r"^[0-9A-Za-z-]{1,20}$")


@dataclass
class RowError:
    row: int          # Excel row number (the header is row 1)
    column: str       # header text, or "" for the whole file
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}{'「' + self.column + '」' if self.column else ''}：{self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_row(number: int, cells: dict) -> tuple[dict, list[RowError]]:
    values, errors = {}, []

    def bad(column: str, message: str):
        errors.append(RowError(number, column, message))

    for attr, header, required in COLUMNS:
        raw = _text(cells.get(header))
        if required and not raw:
            bad(header, "必填，不能为空")
            continue
        if attr == "code":
            if not CODE.match(raw):
                bad(header, f"“{raw}”格式不对：只能包含数字、字母和连字符，最多 20 位")
            values[attr] = raw
        elif attr == "name":
            if len(raw) > 80:
                bad(header, "最多 80 个字")
            values[attr] = raw
        elif attr == "kind":
            if raw not in KINDS:
                bad(header, f"“{raw}”不是有效的学校类型（可选：{'、'.join(KINDS)}）")
            values[attr] = KINDS.get(raw)
        elif attr == "ownership":
            if raw not in OWNERSHIPS:
                bad(header, f"“{raw}”不是有效的办学性质（可选：公办、民办）")
            values[attr] = OWNERSHIPS.get(raw)
        elif attr in ("township", "education_group"):
            if len(raw) > 40:
                bad(header, "最多 40 个字")
            values[attr] = raw
        elif attr == "is_project_school":
            if raw not in YES | NO:
                bad(header, f"“{raw}”应填“是”或“否”")
            values[attr] = raw in YES
        elif attr == "active":
            if raw not in STATUS:
                bad(header, f"“{raw}”应填“在册”或“停用”")
            values[attr] = STATUS.get(raw, True)
        else:  # whole numbers
            limit = NUMBER_LIMITS[attr]
            if not raw:
                values[attr] = 0
            elif not raw.isdigit() or int(raw) > limit:
                bad(header, f"“{raw}”应为 0 到 {limit} 之间的整数")
            else:
                values[attr] = int(raw)
    return values, errors


def read(stream) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Every row of the first sheet, checked on its own and against the other rows."""
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not xlsx
        return [], [RowError(0, "", "无法读取：请上传 Excel 工作簿（.xlsx），可先下载模板填写。")]
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(cell) for cell in next(rows, ())]
    missing = [h for _, h, required in COLUMNS if required and h not in header]
    if missing:
        workbook.close()
        return [], [RowError(1, "", f"表头缺少列：{'、'.join(missing)}（请使用导出的模板）")]
    parsed, errors = [], []
    seen_codes, seen_names = {}, {}
    for number, cells in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(RowError(number, "", f"行数超过 {MAX_ROWS}，请分批导入"))
            break
        if all(_text(c) == "" for c in cells):
            continue
        values, row_errors = _parse_row(number, dict(zip(header, cells)))
        for key, seen, column in (("code", seen_codes, "学校代码"), ("name", seen_names, "学校名称")):
            if values.get(key):
                if values[key] in seen:
                    row_errors.append(RowError(number, column, f"与第 {seen[values[key]]} 行重复"))
                seen.setdefault(values[key], number)
        errors.extend(row_errors)
        parsed.append((number, values))
    workbook.close()
    return parsed, errors


def apply(stream) -> ImportResult:
    """Import the roster. With any error, nothing is added to the session."""
    rows, errors = read(stream)
    result = ImportResult(errors=errors)
    existing = {s.code: s for s in db.session.scalars(select(School))}
    by_name = {s.name: s for s in existing.values()}
    for number, values in rows:
        other = by_name.get(values.get("name"))
        if other is not None and other.code != values.get("code"):
            result.errors.append(RowError(number, "学校名称", f"已被代码为 {other.code} 的学校使用"))
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    for _, values in rows:
        school = existing.get(values["code"])
        if school is None:
            db.session.add(School(**values))
            result.created += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(school, k) != v}
        for key, value in changed.items():
            setattr(school, key, value)
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def _cell(school: School, attr: str):
    value = getattr(school, attr)
    if attr == "is_project_school":
        return "是" if value else "否"
    if attr == "active":
        return "在册" if value else "停用"
    return value.value if hasattr(value, "value") else value


def export(schools) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学校名单"
    sheet.append([header for _, header, _ in COLUMNS])
    for school in schools:
        sheet.append([_cell(school, attr) for attr, _, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJK", (12, 28, 12, 10, 14, 16, 10, 10, 10, 10, 8)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template() -> bytes:
    example = School(code="360101", name="示例小学", kind=SchoolKind.PRIMARY, ownership=Ownership.PUBLIC,
                     township="城东街道", education_group="东部教育集团", is_project_school=False,
                     students=800, classes=18, teachers=50, active=True)
    return export([example])


def filename(prefix: str) -> str:
    return f"{prefix}-{date.today():%Y-%m-%d}.xlsx"
