"""Reading and writing Excel workbooks (openpyxl), shared by every import and export.

Reading is defensive: size and unpacked-size caps (no zip bombs), content sniffed as .xlsx,
any parser failure turned into one WorkbookError with a message for the person who sent it.
"""
import io
import unicodedata
import warnings
import zipfile
from contextlib import contextmanager

from flask import send_file
from openpyxl import load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .files.uploads import sniff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookError(ValueError):
    """A workbook we cannot take, with a message for the person who sent it."""


def text(value) -> str:
    """A cell as text. Whole numbers lose the '.0' (a code typed as a number comes back as 360101.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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


def download(data: bytes, name: str):
    """A workbook as a download (never cached: lists hold personal and school data)."""
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)


def table(sheet, headers: list[str], rows, cap: int | dict = 44) -> list[list]:
    """Write a header row (bold, frozen) and the rows; each column as wide as its widest cell, up
    to `cap` (one figure, or one per header). Returns the rows written."""
    rows = list(rows)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        widest = max(width(value) for value in [header, *(row[index] for row in rows)])
        limit = cap[header] if isinstance(cap, dict) else cap
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(widest + 4, 8), limit)
    return rows


def picker(sheet, column: int, header: str, choices: list[str], last_row: int) -> None:
    """A dropdown of `choices` on a column (1-based) from row 2 to `last_row`."""
    letter = get_column_letter(column)
    rule = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True,
                          showErrorMessage=True, errorTitle=header, error=f"请从列表中选择：{'、'.join(choices)}")
    rule.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(rule)


def to_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
