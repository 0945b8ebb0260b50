"""The county's resource table (资源配置统计表) as an Excel workbook, in the layout offices submit: one
row per school part with its raw figures, then its seven indicator values and verdict; a sheet of
the coefficients per level; a sheet of the schools left out. The raw-figure columns come back in
(import): an exported file re-imports unchanged, and a part whose figures are all blank is skipped
(not reported yet), so the export of a year without figures is the form to fill in.

Import is all or nothing: every row is checked, and only a file without a single bad row touches
the session. Parts are matched by 学校代码 + 学段. Nothing here commits.
"""
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from .. import excel
from ..extensions import db
from ..models import Level, ResourceFigures, School
from . import indicators
from .forms import FIELDS, LABELS, LIMITS, WHOLE
from .queries import Year, schools_in_scope

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ROWS = 3000
SHEET, COEFFICIENTS, LEFT_OUT = "资源配置", "差异系数", "不参与计算"
CODE, NAME, LEVEL = "学校代码", "学校名称", "学段"
HEADERS = (CODE, NAME, LEVEL, *(LABELS[name] for name in FIELDS))
LEVELS = {LEVEL: [level.value for level in Level]}  # the 学段 column's dropdown
VALUES = tuple(f"{i.number}.{i.short}（{i.unit}）" for i in indicators.INDICATORS)


Invalid, RowError = excel.Invalid, excel.RowError


@dataclass
class Outcome(excel.Outcome):
    skipped: int = 0

    @property
    def summary(self) -> str:
        text = f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"
        return text + (f"，{self.skipped} 条数据全空（未填报）已跳过" if self.skipped else "")


# Writing ----------------------------------------------------------------------------------------

def _amount(value):
    """A stored figure as a cell: whole numbers without decimals."""
    if value is None:
        return None
    return int(value) if Decimal(value) == Decimal(value).to_integral_value() else float(value)


def _plan(result) -> str:
    return "；".join(f"{gap.reading.indicator.figure}增加 {_amount(gap.to_threshold if aim == 'threshold' else gap.to_floor)}"
                    f" {gap.reading.indicator.figure_unit}" for gap, aim in result.plan)


def _rows(found: Year):
    for entry in found.entries:
        if entry.level is None:
            continue
        figures = [_amount(getattr(entry.figures, name)) if entry.figures else None for name in FIELDS]
        head = [entry.school.code, entry.school.name, entry.level.value, *figures]
        result = entry.result
        if result is None:
            verdict = f"不参与计算（{entry.excluded}）" if entry.excluded else "未填报"
            yield head + [None] * len(VALUES) + [None, verdict, None]
        else:
            yield head + [float(r.value) for r in result.readings] + [result.met, result.verdict, _plan(result)]


def _coefficients(found: Year):
    for level in indicators.LEVELS:
        for c in found.assessment.level(level):
            yield [level.value, f"{c.indicator.number}.{c.indicator.name}", float(c.indicator.thresholds[level]), c.parts,
                   c.students, float(indicators.rounded(c.county_value)),
                   float(indicators.rounded(c.deviation, indicators.CV_PLACES)),
                   None if c.cv is None else float(c.cv), float(c.limit), None if c.goal is None else float(c.goal),
                   "达标" if c.passed else "未达标",
                   "、".join(f"{p.part.name}（{indicators.percent(indicators.rounded(p.share))}）" for p in c.pushers)]


def export(found: Year) -> excel.Book:
    book = excel.Book()
    headers = [*HEADERS, *VALUES, "达标项数", "结果", "需补足（达标方案）"]
    book.table(SHEET, headers, _rows(found), cap={**dict.fromkeys(headers, 16), NAME: 30, "结果": 30, headers[-1]: 60},
               pickers=LEVELS, as_text=(CODE,))
    headers = ["学段", "指标", "标准值", "学校数", "学生数", "县域值", "标准差", "差异系数", "限值", "县定目标", "判定",
               "主要拉高学校（占方差比例）"]
    book.table(COEFFICIENTS, headers, _coefficients(found), cap={**dict.fromkeys(headers, 12), "指标": 40, headers[-1]: 60})
    book.table(LEFT_OUT, [CODE, NAME, "类型", "原因"],
               ([e.school.code, e.school.name, e.school.kind.value, e.excluded] for e in found.excluded))
    return book


def template() -> excel.Book:
    """The import's columns with one example row (never saved)."""
    book = excel.Book()
    example = ["360101", "示例实验小学", "小学", 800, 40, 10, 8, 3800, 6200, 1_700_000, 20]
    book.table(SHEET, list(HEADERS), [example], cap=24, pickers=LEVELS)
    return book


# Reading ----------------------------------------------------------------------------------------

def _number(name: str, value):
    text = excel.text(value).replace(",", "")
    if not text:
        raise Invalid("必填（没有就填 0）")
    low = 1 if name == "students" else 0
    if name in WHOLE:
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise Invalid(f"“{text}”不是整数")
        number = int(text)
    else:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Invalid(f"“{text}”不是数字") from None
        if not number.is_finite():
            raise Invalid(f"“{text}”不是数字")
        number = number.quantize(Decimal("0.01"))
    if not low <= number <= LIMITS[name]:
        raise Invalid(f"{text} 超出范围（{low} 到 {LIMITS[name]}）")
    return number


def read(data: bytes) -> tuple[list[tuple[int, dict]], list[RowError], int]:
    """The rows to save as {school, level, figures...}, the problems found, and how many blank parts were skipped."""
    with excel.opened(data, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED, usual="全县资源配置表通常不到 1 MB") as book:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = excel.rows(sheet, MAX_ROWS, f"数据超过 {MAX_ROWS} 行，请检查文件。")
    if len(rows) < 2:
        raise excel.WorkbookError("工作表里没有数据：第一行应是表头，下面每行一所学校的一个学段。")
    (header_row, header), body = rows[0], rows[1:]
    positions = excel.header(header_row, header, HEADERS, [h for h in HEADERS if h != NAME])
    schools = {s.code.lower(): s for s in schools_in_scope()}
    entries, errors, skipped, first = [], [], 0, {}
    for number, values in body:
        cells = excel.by_header(values, positions)
        if not any(excel.text(cells[LABELS[name]]) for name in FIELDS):
            skipped += 1
            continue
        record = {}
        code = excel.text(cells[CODE])
        school = schools.get(code.lower())
        if school is None:
            errors.append(RowError(number, CODE, f"“{code}”不是在册的义务教育学校代码" if code else "必填，不能为空"))
        level_text = excel.text(cells[LEVEL])
        level = next((level for level in Level if level.value == level_text), None)
        if level is None:
            errors.append(RowError(number, LEVEL, f"“{level_text}”无效，请填“小学”或“初中”" if level_text else "必填，请填“小学”或“初中”"))
        elif school is not None and level not in indicators.levels_of(school.kind):
            errors.append(RowError(number, LEVEL, f"{school.name}（{school.kind.value}）没有{level.value}学段"))
        elif school is not None:
            if (school.id, level) in first:
                errors.append(RowError(number, LEVEL, f"{school.name}{level.value}与第 {first[school.id, level]} 行重复"))
            first.setdefault((school.id, level), number)
            record.update(school=school, level=level)
        for name in FIELDS:
            try:
                record[name] = _number(name, cells[LABELS[name]])
            except Invalid as problem:
                errors.append(RowError(number, LABELS[name], str(problem)))
        entries.append((number, record))
    return entries, errors, skipped


def import_figures(year: int, data: bytes) -> Outcome:
    entries, errors, skipped = read(data)
    if errors:
        order = {header: i for i, header in enumerate(HEADERS)}
        return Outcome(errors=sorted(errors, key=lambda e: (e.row, order.get(e.column, 0))))
    saved = {(row.school_id, row.level): row for row in db.session.scalars(
        select(ResourceFigures).where(ResourceFigures.year == year))}
    outcome = Outcome(skipped=skipped)
    for _, record in entries:
        school: School = record["school"]
        row = saved.get((school.id, record["level"]))
        if row is None:
            db.session.add(ResourceFigures(school_id=school.id, year=year, level=record["level"],
                                           **{name: record[name] for name in FIELDS}))
            outcome.created += 1
            continue
        outcome.update(row, {name: record[name] for name in FIELDS})
    return outcome
