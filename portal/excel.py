"""Reading and writing Excel workbooks, shared by every import and export.

Reading (openpyxl) is defensive: size and unpacked-size caps (no zip bombs), content sniffed as .xlsx,
any parser failure turned into one WorkbookError with a message for the person who sent it. Every
import has one shape (upload()): all or nothing, every row checked, the problems listed by row
beside the upload field, or everything saved at once.

Writing streams: a Book writes each sheet's XML into the zip as its rows come, in a temporary file,
so memory stays the same whatever the size. openpyxl's writer (its write-only mode too, with lxml
or without) managed 90,000-140,000 cells a second on this 2-core machine, 70-110 s for the county's
10 million inspection cells; this way about 800,000 a second. Every text is written as text, never
as a formula: a note typed as =HYPERLINK(...) is shown as typed and never runs.
"""
import io
import math
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice
from xml.sax.saxutils import escape, quoteattr

from flask import flash, send_file
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .extensions import db
from .files.uploads import sniff
from .htmx import see_other

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookError(ValueError):
    """A workbook we cannot take, with a message for the person who sent it."""


class Invalid(ValueError):
    """One cell's value is wrong; the message says why."""


@dataclass(frozen=True)
class RowError:
    """One cell an import refused: the row number Excel shows, the column's header, why; and the
    sheet, where a workbook has several sheets of rows."""
    row: int
    column: str
    reason: str
    sheet: str = ""

    @property
    def place(self) -> str:
        return f"「{self.sheet}」第 {self.row} 行" if self.sheet else f"第 {self.row} 行"

    def __str__(self) -> str:
        return f"{self.place}「{self.column}」：{self.reason}"


@dataclass
class Outcome:
    """What an import did, or, with errors, why it did nothing."""
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def message(self) -> str:
        return f"导入完成：{self.summary}。"

    def update(self, row, values: dict) -> None:
        """Set on an existing row only the values that differ, so its change log shows real changes."""
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        for name, value in changed.items():
            setattr(row, name, value)
        self.updated += bool(changed)
        self.unchanged += not changed


def upload(form, load: Callable[[bytes], Outcome], max_bytes: int, *, then: Callable[[Outcome], str],
           page: Callable[[list[RowError], int], object]):
    """An import view's answer. A valid form's file goes to `load`, which checks every row and only
    when none has a problem makes its changes in the session. Then they are committed, the outcome's
    message flashed and the browser sent to `then(outcome)`; otherwise `page(errors, status)`: a file
    that cannot be used is said beside the upload field, rows with problems are listed (422), and
    nothing is saved. At most max_bytes + 1 bytes are read: opened() refuses the file as too big."""
    errors = []
    if form.validate_on_submit():
        try:
            outcome = load(form.file.data.read(max_bytes + 1))
        except WorkbookError as error:
            form.file.errors.append(str(error))
        else:
            if not outcome.errors:
                db.session.commit()
                flash(outcome.message, "success")
                return see_other(then(outcome))
            errors = outcome.errors
    return page(errors, 422 if form.errors or errors else 200)


def text(value) -> str:
    """A cell as text. Whole numbers lose the '.0' (a code typed as a number comes back as 360101.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def quoted(value) -> str:
    """A cell's text for a message, cut at 20 characters."""
    value = text(value)
    return f"“{value if len(value) <= 20 else value[:20] + '…'}”"


def width(value) -> int:
    """Display width of a cell: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text(value))


@contextmanager
def opened(data: bytes, *, max_bytes: int, max_unpacked: int, usual: str):
    """The workbook in `data`, read-only, closed afterwards. `usual`: how big such a file usually
    is, for the message when it is too big (someone picked the wrong file)."""
    if not data:
        raise WorkbookError("文件是空的。")
    if len(data) > max_bytes:
        raise WorkbookError(f"文件太大（上限 {max_bytes // 1024 // 1024} MB），{usual}，请检查是否选错了文件。")
    if sniff(data) != XLSX:
        raise WorkbookError("这不是 Excel 工作簿（.xlsx）。旧版 .xls、CSV 等文件请先在 Excel 或 WPS 中“另存为”.xlsx 格式，"
                            "或下载导入模板填写。")
    if sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist()) > max_unpacked:
        raise WorkbookError("文件内容过大，无法读取。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features we do not read (styles, extensions)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises whatever its zip and XML parsers raise
        raise WorkbookError("无法读取这个 Excel 文件，它可能已损坏。请在 Excel 或 WPS 中打开后重新保存，再导入。") from error
    try:
        yield book
    except WorkbookError:
        raise
    except Exception as error:  # noqa: BLE001 - reading rows can fail inside the parser too
        raise WorkbookError("无法读取这个 Excel 文件，它可能已损坏。请在 Excel 或 WPS 中打开后重新保存，再导入。") from error
    finally:
        book.close()


def rows(sheet, limit: int, too_many: str) -> list[tuple[int, tuple]]:
    """A sheet's non-blank rows with the row numbers Excel shows (header included)."""
    sheet.reset_dimensions()  # some programs record a wrong used range; read what is there
    found = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(text(value) for value in values):
            found.append((number, values))
            if len(found) > limit + 1:
                raise WorkbookError(too_many)
    return found


def header(number: int, values: tuple, headers, required, note: str = "") -> dict[str, int]:
    """Where each of `headers` is in the header row (row `number`). A header given twice, or a
    `required` one missing, makes the file unusable; `note` adds to the list of the columns expected."""
    positions: dict[str, int] = {}
    for index, value in enumerate(values):
        name = text(value)
        if name in headers and name in positions:
            raise WorkbookError(f"表头中「{name}」出现了两次（第 {get_column_letter(positions[name] + 1)} 列和第 "
                                f"{get_column_letter(index + 1)} 列），请删去一列。")
        positions.setdefault(name, index)
    missing = [name for name in required if name not in positions]
    if missing:
        raise WorkbookError(f"缺少必需的列：{'、'.join(missing)}。第 {number} 行应是表头，依次为：{'、'.join(headers)}"
                            f"（{note}可下载导入模板对照）。")
    return {name: positions[name] for name in headers if name in positions}


def by_header(values: tuple, positions: dict[str, int]) -> dict:
    """A row's cells by header (a short row's missing cells are blank)."""
    return {name: values[index] if index < len(values) else None for name, index in positions.items()}


def checked(number: int, readers: dict[str, Callable], row: dict, errors: list[RowError], sheet: str = "") -> dict:
    """A row's values, each column's cell read by its reader; a cell its reader refuses (Invalid) is
    an error of this row."""
    values = {}
    for name, read in readers.items():
        try:
            values[name] = read(row.get(name))
        except Invalid as error:
            errors.append(RowError(number, name, str(error), sheet))
    return values


# Writing ------------------------------------------------------------------------------------

SPOOL = 4 << 20        # a workbook up to this size stays in memory; a larger one goes to a temporary file
SAMPLE = 1000          # rows that set a sheet's column widths (the columns are written before the rows)
MAX_ROWS = 1_048_576   # Excel's rows per sheet: more rows go on to a sheet of the same name, numbered
# Text into XML: markup escaped, a carriage return kept as an entity (XML reads a bare one as a line
# feed), and the characters XML 1.0 cannot hold dropped (openpyxl refused them: a 500 on export).
ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"} | dict.fromkeys(
    map(chr, [*range(9), 11, 12, *range(14, 32), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BOLD, TEXT_COLUMN, WRAP = ' s="1"', ' style="2"', ' s="3"'  # the cell formats of STYLES, by position
STYLES = (
    f'{XML}<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/>'
    '</fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
    '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"

FROZEN_HEADER = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                 '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>')


def cells(number: int, letters: list[str], values, style: str = "") -> str:
    """Row `number`'s cells as XML, blank ones left out."""
    return "".join(f'<c r="{letter}{number}"{content(value, style)}' for letter, value in zip(letters, values)
                   if value is not None and value != "")


@lru_cache(maxsize=4096, typed=True)
def content(value, style: str) -> str:
    """A cell's XML after its reference. A str is always an inline string, text whatever it starts
    with; numbers are numbers; anything else is written as its text. Remembered: a large export
    repeats the same names, labels and figures on row after row."""
    if isinstance(value, bool):
        return f' t="b"{style}><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)) and math.isfinite(value):
        return f'{style}><v>{value}</v></c>'
    value = str(value).translate(ESCAPES)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f' t="inlineStr"{style}><is><t{space}>{value}</t></is></c>'


class Book:
    """A workbook written as it goes: sheets added with table(), then sent with download()."""

    def __init__(self):
        self.file = tempfile.SpooledTemporaryFile(SPOOL)
        # Level 1: a fifth less time than the default (6) for a third more bytes; time is what a county's
        # export is short of (gunicorn's timeout), not the office network.
        self.zip = zipfile.ZipFile(self.file, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles: list[str] = []

    def table(self, title: str, headers: list[str], rows, cap: int | dict = 44, *, pickers: dict | None = None,
              as_text: tuple = (), wrap: bool = False) -> int:
        """A sheet of a header row (bold, frozen) and the rows; each column as wide as its widest cell
        among the header and the first SAMPLE rows, up to `cap` (one figure, or one per header).
        `pickers`: {header: choices}, a dropdown on that column; `as_text`: headers whose column keeps
        what is typed into it later as text (codes keep their leading zeros); `wrap`: data cells wrap,
        top-aligned. Returns the number of rows written."""
        rows = iter(rows)
        sample = list(islice(rows, SAMPLE))
        widest = [width(header) for header in headers]
        for row in sample:
            for index, value in enumerate(row[:len(headers)]):
                widest[index] = max(widest[index], width(value))
        letters = [get_column_letter(n) for n in range(1, len(headers) + 1)]
        limits = [cap[header] if isinstance(cap, dict) else cap for header in headers]
        cols = "".join(f'<col min="{n}" max="{n}" width="{min(max(w + 4, 8), limit)}" customWidth="1"'
                       f'{TEXT_COLUMN if header in as_text else ""}/>'
                       for n, (header, w, limit) in enumerate(zip(headers, widest, limits), start=1))
        head = f'<cols>{cols}</cols><sheetData><row r="1">{cells(1, letters, headers, BOLD)}</row>'
        checks = [
            f'<dataValidation type="list" allowBlank="1" showErrorMessage="1" errorTitle={quoteattr(header)}'
            f' error={quoteattr("请从列表中选择：" + "、".join(choices))} sqref="{column}2:{column}{MAX_ROWS}">'
            f'<formula1>{escape(chr(34) + ",".join(choices) + chr(34))}</formula1></dataValidation>'
            for header, choices in (pickers or {}).items() for column in [letters[headers.index(header)]]]
        tail = "</sheetData>" + (f'<dataValidations count="{len(checks)}">{"".join(checks)}</dataValidations>'
                                 if checks else "")
        rows, written = chain(sample, rows), 0
        while True:
            count = self._sheet(f"{title}（{len(self.titles) + 1}）" if written else title, head, tail,
                                islice(rows, MAX_ROWS - 1), letters, WRAP if wrap else "")
            written += count
            following = next(rows, None)  # a full sheet: any more go on the next one
            if following is None:
                return written
            rows = chain([following], rows)

    def _sheet(self, title: str, head: str, tail: str, rows, letters: list[str], style: str) -> int:
        """Write one sheet's XML, its rows batched (each write deflates); returns the rows written."""
        self.titles.append(title)
        selected = ' tabSelected="1"' if len(self.titles) == 1 else ""
        with self.zip.open(f"xl/worksheets/sheet{len(self.titles)}.xml", "w") as stream:
            stream.write(f'{XML}<worksheet xmlns="{MAIN}"><sheetViews><sheetView{selected} workbookViewId="0">'
                         f'{FROZEN_HEADER}</sheetView></sheetViews>{head}'.encode())
            batch, number = [], 1
            for number, row in enumerate(rows, start=2):
                batch.append(f'<row r="{number}">{cells(number, letters, row, style)}</row>')
                if len(batch) == 500:
                    stream.write("".join(batch).encode())
                    batch.clear()
            stream.write(("".join(batch) + tail + "</worksheet>").encode())
        return number - 1

    def close(self):
        """The finished workbook: the parts that list its sheets, then the file from its start."""
        numbers = range(1, len(self.titles) + 1)
        sheets = "".join(f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
                         for n, title in zip(numbers, self.titles))
        links = "".join(f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                        for n in numbers)
        styles = f'<Relationship Id="rId{len(numbers) + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
        parts = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{TYPES}.worksheet+xml"/>'
                        for n in numbers)
        for name, xml in [
            ("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView/></bookViews>'
                                f'<sheets>{sheets}</sheets></workbook>'),
            ("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE_RELS}">{links}{styles}</Relationships>'),
            ("_rels/.rels", f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
                            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
            ("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                                    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                                    f'<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>'
                                    f'<Override PartName="/xl/styles.xml" ContentType="{TYPES}.styles+xml"/>'
                                    f'{parts}</Types>'),
        ]:
            self.zip.writestr(name, XML + xml)
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.close()
        self.file.seek(0)
        return self.file


def download(book: Book, name: str):
    """A workbook as a download (never cached: lists hold personal and school data). One that stayed
    in memory goes from there; a larger one from its temporary file, closed (and gone) with the response."""
    file = book.close()
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if size <= SPOOL:
        with file:
            file = io.BytesIO(file.read())
    response = send_file(file, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)
    response.content_length = size
    return response
