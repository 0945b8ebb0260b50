"""A table task: the office's Excel template, the schools' filled-in copies checked row by row against
the template's header (as the roster import checks its rows), and everything merged into one workbook.

The template's first non-blank row of its first sheet is the header. A header ending in * marks a
column every row must fill; one ending in a unit in brackets, e.g. 学生数（人）or 面积（㎡）, a column of
numbers. A school's file must have every header of the template; each row is checked; with a single
bad row nothing is kept and the problems are listed by row."""
import re
from decimal import Decimal, InvalidOperation

from .. import excel
from ..models import ReportAnswer, ReportTask

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 40 * 1024 * 1024
MAX_ROWS = 3000
MAX_COLUMNS = 60
CELL_LIMIT = 500
REQUIRED = re.compile(r"[*＊]$")
NUMERIC = re.compile(r"[（(](人|个|名|元|万元|间|所|㎡|平方米|%|％|次|节|台|套|册|项|数字)[)）][*＊]?$")
SCHOOL_COLUMNS = ["学校代码", "学校名称"]
Invalid, RowError = excel.Invalid, excel.RowError


def _sheet_rows(data: bytes) -> list[tuple[int, tuple]]:
    with excel.opened(data, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED, usual="报送表格通常不到 1 MB") as book:
        return excel.rows(book.worksheets[0], MAX_ROWS, f"表格超过 {MAX_ROWS} 行，请检查是否选错了文件。")


def template_headers(data: bytes) -> list[str]:
    """The header of the office's template; WorkbookError when it has none worth the name."""
    found = _sheet_rows(data)
    if not found:
        raise excel.WorkbookError("模板是空的：第一个工作表的第一行应是表头。")
    number, values = found[0]
    headers = [excel.text(v) for v in values]
    while headers and not headers[-1]:
        headers.pop()
    if any(not h for h in headers):
        raise excel.WorkbookError(f"表头（第 {number} 行）中间有空白列，请给每一列写上列名。")
    if len(set(headers)) != len(headers):
        raise excel.WorkbookError("表头中有重复的列名，请改为互不相同的列名。")
    if len(headers) > MAX_COLUMNS:
        raise excel.WorkbookError(f"表头最多 {MAX_COLUMNS} 列。")
    if set(headers) & set(SCHOOL_COLUMNS):
        raise excel.WorkbookError("模板中不必有「学校代码」「学校名称」列：汇总时会自动加上。")
    return headers


def _reader(header: str):
    required, numeric = bool(REQUIRED.search(header)), bool(NUMERIC.search(header))

    def read(value):
        text = excel.text(value)
        if not text:
            if required:
                raise Invalid("必填，不能为空")
            return None
        if numeric:
            try:
                number = Decimal(text.replace(",", ""))
            except InvalidOperation:
                raise Invalid(f"{excel.quoted(value)}不是数字") from None
            if not number.is_finite():
                raise Invalid(f"{excel.quoted(value)}不是数字")
            return int(number) if number == number.to_integral_value() else float(number)
        if len(text) > CELL_LIMIT:
            raise Invalid(f"最多 {CELL_LIMIT} 字")
        return text

    return read


def check_rows(headers: list[str], data: bytes) -> tuple[list[list], list[RowError]]:
    """(rows, errors): a school's filled-in table, each row's cells in the template's column order."""
    found = _sheet_rows(data)
    if not found:
        raise excel.WorkbookError("表格是空的，请下载模板填写后再上传。")
    number, values = found[0]
    positions = excel.header(number, values, headers, headers, "表头须与模板一致，")
    readers = {h: _reader(h) for h in headers}
    rows, errors = [], []
    for number, values in found[1:]:
        row = excel.checked(number, readers, excel.by_header(values, positions), errors)
        if any(v is not None for v in row.values()):
            rows.append([row.get(h) for h in headers])
    if not rows and not errors:
        raise excel.WorkbookError("表格中没有填写任何数据行（表头下面是空的）。")
    return rows, errors


def merged(task: ReportTask, answers: list[ReportAnswer]) -> excel.Book:
    """Every handed-in table in one sheet, each row with its school's code and name in front."""
    book = excel.Book()
    book.table("汇总", SCHOOL_COLUMNS + list(task.headers),
               ([a.school.code, a.school.name, *row] for a in answers for row in a.rows), as_text=("学校代码",))
    return book
