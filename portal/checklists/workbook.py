"""A template version as an Excel workbook: one row per item (评估要点), its section (一级指标)
written on every row, the result bands on a second sheet, and the kinds of school the checklist
fits on a third. Kinds are written in Chinese, as the pages show them ("小学、初中"). What export()
writes, read() takes back unchanged.

Import is all or nothing: every row is checked with the editor's own rules, and only a file
without a single problem becomes a new draft. Nothing here commits.
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import excel
from ..extensions import db
from ..models import (AnswerType, ChecklistTemplate, EvidenceRule, Item, SchoolKind, Section, TemplateVersion, VersionStatus,
                      kinds_in_words)
from ..models.checklist import DEFAULT_BANDS
from .forms import BAND_NAMES, STANDARD_RULE, TEXT_RULE, TITLE_RULE, check_bands, check_points, points_text
from .versions import next_number

MAX_BYTES = 2 * 1024 * 1024       # a checklist of a few hundred items is well under 100 KB
MAX_UNPACKED = 20 * 1024 * 1024   # what the zip may inflate to: no zip bombs
MAX_ROWS = 1000                   # items in one checklist
ITEMS_SHEET = "检查表"
BANDS_SHEET = "结果等级"
BANDS_HEADERS = ("等级", "最低得分率（%）")
KINDS_SHEET = "适用学校"
KINDS_HEADER = "适用学校类型"
ALL_KINDS = "所有类型"  # what the pages say of a checklist that names no kind
YES, NO = "是", "否"

SECTION, TEXT, STANDARD, ANSWER, POINTS, NA, CRITICAL, EVIDENCE, NA_KINDS = HEADERS = (
    "一级指标", "二级指标/评估要点", "评分标准", "答题方式", "分值", "可不适用", "一票否决", "佐证要求", "不适用的学校类型")
REQUIRED = (SECTION, TEXT, POINTS)
CHOICES = {
    ANSWER: tuple(a.value for a in AnswerType), NA: (YES, NO), CRITICAL: (YES, NO),
    EVIDENCE: tuple(e.value for e in EvidenceRule),
}
WIDTHS = {SECTION: 24, TEXT: 60, STANDARD: 40, ANSWER: 22, POINTS: 8, NA: 10, CRITICAL: 10, EVIDENCE: 20, NA_KINDS: 20}
KIND_NAMES = tuple(kind.value for kind in SchoolKind)


WorkbookError, Invalid = excel.WorkbookError, excel.Invalid


class BandError(excel.RowError):
    """A problem on the bands sheet, named as a sheet: the items are what people call the file."""

    @property
    def place(self) -> str:
        return f"「{BANDS_SHEET}」工作表第 {self.row} 行"


@dataclass
class Checklist:
    """What a workbook holds: [(section title, [item fields])], the result bands, and the kinds of
    school the checklist fits (SchoolKind names; None: the file has no 适用学校 sheet)."""
    sections: list[tuple[str, list[dict]]] = field(default_factory=list)
    bands: list = field(default_factory=lambda: [list(b) for b in DEFAULT_BANDS])
    school_kinds: list[str] | None = None

    @property
    def item_count(self) -> int:
        return sum(len(items) for _, items in self.sections)


def _length(text: str, rule) -> str:
    if len(text) > rule.max:
        raise Invalid(f"{excel.quoted(text)}太长（{rule.message}）")
    return text


def _choice(text: str, enum_cls, blank, noun: str):
    if not text:
        return blank
    members = {member.value: member for member in enum_cls}
    if text not in members:
        raise Invalid(f"{excel.quoted(text)}不是有效的{noun}（可选：{'、'.join(members)}）")
    return members[text]


def _flag(text: str) -> bool:
    if text not in ("", YES, NO):
        raise Invalid(f"{excel.quoted(text)}无效，请填“{YES}”或“{NO}”")
    return text == YES


def _kinds(cell) -> list[str]:
    """Kinds of school as written ("小学、初中"; commas or spaces also part them) into SchoolKind names,
    in SchoolKind's order; a name that is no kind is refused."""
    names = [name for name in re.split(r"[、,，;；/\s]+", excel.text(cell)) if name]
    unknown = [name for name in dict.fromkeys(names) if name not in KIND_NAMES]
    if unknown:
        raise Invalid(f"{'、'.join(excel.quoted(name) for name in unknown)}不是学校类型（可填：{'、'.join(KIND_NAMES)}，"
                      "用“、”分隔）")
    return [kind.name for kind in SchoolKind if kind.value in names]


def _points(value) -> Decimal:
    text = str(value) if isinstance(value, float) and not value.is_integer() else excel.text(value)
    if not text:
        raise Invalid("必填，不能为空")
    if not re.fullmatch(r"-?[0-9]{1,6}(\.[0-9]+)?", text):
        raise Invalid(f"{excel.quoted(text)}不是数字")
    number = Decimal(text)
    try:
        check_points(number)
    except ValueError as error:
        raise Invalid(f"{points_text(number)}：{error}") from None
    return number


# Reading ------------------------------------------------------------------------------------

def _sheets(data: bytes) -> tuple[list, list | None, list | None]:
    with excel.opened(data, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED, usual="检查表通常不到 100 KB") as book:
        items = book[ITEMS_SHEET] if ITEMS_SHEET in book.sheetnames else book.worksheets[0]
        bands = excel.rows(book[BANDS_SHEET], 10, "结果等级超过 10 行，请检查文件。") if BANDS_SHEET in book.sheetnames else None
        kinds = excel.rows(book[KINDS_SHEET], 10, f"「{KINDS_SHEET}」超过 10 行，请检查文件。") \
            if KINDS_SHEET in book.sheetnames else None
        return excel.rows(items, MAX_ROWS, f"评估要点超过 {MAX_ROWS} 行，请检查文件。"), bands, kinds


def _read_bands(rows: list[tuple[int, tuple]], errors: list[excel.RowError]) -> list:
    bands = []
    for number, values in rows[1:]:
        name = excel.text(values[0]) if values else ""
        cell = values[1] if len(values) > 1 else None
        text = excel.text(cell)
        if not re.fullmatch(r"[0-9]{1,3}", text):
            errors.append(BandError(number, BANDS_HEADERS[1], f"{excel.quoted(text)}不是 0 到 100 之间的整数", BANDS_SHEET))
            continue
        bands.append([int(text), name])
    if len(bands) == len(rows) - 1:
        errors.extend(BandError(rows[0][0], BANDS_HEADERS[1], problem, BANDS_SHEET) for problem in check_bands(bands))
    return bands


def _read_kinds(rows: list[tuple[int, tuple]], errors: list[excel.RowError]) -> list[str]:
    """The 适用学校 sheet: under its header, the kinds in the first column, on one row or several (none, or
    所有类型: every kind). Each row is checked on its own."""
    named = set()
    for number, values in rows[1:]:
        cell = values[0] if values else None
        if excel.text(cell) == ALL_KINDS:
            continue
        try:
            named.update(_kinds(cell))
        except Invalid as error:
            errors.append(excel.RowError(number, KINDS_HEADER, str(error), KINDS_SHEET))
    return [kind.name for kind in SchoolKind if kind.name in named]


def read(data: bytes) -> tuple[Checklist, list[excel.RowError]]:
    """The workbook as a checklist, and every problem found (row by row). WorkbookError when the
    file as a whole cannot be used."""
    rows, band_rows, kind_rows = _sheets(data)
    if not rows:
        raise WorkbookError("工作表是空的：第一行应是表头，下面每行一项评估要点。")
    (header_row, header), body = rows[0], rows[1:]
    if not body:
        raise WorkbookError("表头下面没有评估要点。")
    positions = excel.header(header_row, header, HEADERS, REQUIRED)
    checklist, errors = Checklist(), []
    if band_rows:
        checklist.bands = _read_bands(band_rows, errors)
    if kind_rows:
        checklist.school_kinds = _read_kinds(kind_rows, errors)
    first_row: dict[str, int] = {}
    title = None
    for number, values in body:
        cells = excel.by_header(values, positions)
        texts = {h: excel.text(v) for h, v in cells.items()}
        given = texts[SECTION] or title
        if given is None:
            errors.append(excel.RowError(number, SECTION, "必填，不能为空（第一行评估要点须写明一级指标；以下各行留空表示同上）"))
            continue
        if len(given) > TITLE_RULE.max:
            errors.append(excel.RowError(number, SECTION, f"{excel.quoted(given)}太长（{TITLE_RULE.message}）"))
            continue
        if given != title:
            if given in first_row:
                errors.append(excel.RowError(number, SECTION, f"{excel.quoted(given)}与第 {first_row[given]} 行的一级指标相同："
                                       "同一指标的各行请放在一起"))
                continue
            title = given
            first_row[title] = number
            checklist.sections.append((title, []))
        if not any(texts[h] for h in positions if h != SECTION):
            continue  # a section with no items yet (a draft may have one)
        problems = []
        item = excel.checked(number, READERS, cells, problems)
        errors += problems
        if not problems:
            checklist.sections[-1][1].append({ITEM_FIELDS[column]: value for column, value in item.items()})
    order = {h: i for i, h in enumerate(HEADERS)}
    errors.sort(key=lambda e: (bool(e.sheet), e.row, order.get(e.column, 99)))
    return checklist, errors


# Each item column's cell read into its field.
ITEM_FIELDS = {TEXT: "text", STANDARD: "standard", ANSWER: "answer_type", POINTS: "max_points", NA: "na_allowed",
               CRITICAL: "critical", EVIDENCE: "evidence", NA_KINDS: "na_kinds"}
READERS = {
    TEXT: lambda cell: _length(excel.text(cell), TEXT_RULE) if excel.text(cell) else _required(),
    STANDARD: lambda cell: _length(excel.text(cell), STANDARD_RULE),
    ANSWER: lambda cell: _choice(excel.text(cell), AnswerType, AnswerType.POINTS, "答题方式"),
    POINTS: _points,
    NA: lambda cell: _flag(excel.text(cell)),
    CRITICAL: lambda cell: _flag(excel.text(cell)),
    EVIDENCE: lambda cell: _choice(excel.text(cell), EvidenceRule, EvidenceRule.NONE, "佐证要求"),
    NA_KINDS: _kinds,
}


def _required():
    raise Invalid("必填，不能为空")


@dataclass
class Imported(excel.Outcome):
    draft: TemplateVersion | None = None
    sections: int = 0
    items: int = 0

    @property
    def message(self) -> str:
        return (f"已导入为“{self.draft.template.name}”第 {self.draft.number} 版草稿：{self.sections} 个一级指标、"
                f"{self.items} 项评估要点，适用于{kinds_in_words(self.draft.template.school_kinds) or ALL_KINDS}。"
                "请检查后发布。")


def import_draft(data: bytes, target: ChecklistTemplate | None, name: str) -> Imported:
    """The workbook as a new draft of `target`, or of a new template called `name` (added to the
    session), when it has no problem at all."""
    checklist, errors = read(data)
    if errors:
        return Imported(errors=errors)
    template = target or ChecklistTemplate(name=name, description="")
    if checklist.school_kinds is not None:  # a file without the sheet leaves the template's kinds as they are
        template.school_kinds = checklist.school_kinds
    db.session.add(template)
    return Imported(draft=new_draft(checklist, template), sections=len(checklist.sections), items=checklist.item_count)


def new_draft(checklist: Checklist, template: ChecklistTemplate) -> TemplateVersion:
    """The checklist as the template's next version, a draft (added to the session)."""
    version = TemplateVersion(number=next_number(template), status=VersionStatus.DRAFT,
                              bands=[list(b) for b in checklist.bands])
    for s, (title, items) in enumerate(checklist.sections, start=1):
        version.sections.append(Section(position=s, title=title,
                                        items=[Item(position=i, **fields) for i, fields in enumerate(items, start=1)]))
    template.versions.append(version)
    return version


# Writing ------------------------------------------------------------------------------------

def _row(section: Section, item: Item) -> list:
    return [section.title, item.text, item.standard, item.answer_type.value, float(item.max_points)
            if item.max_points != item.max_points.to_integral() else int(item.max_points),
            YES if item.na_allowed else NO, YES if item.critical else NO, item.evidence.value,
            kinds_in_words(item.na_kinds) or None]


def _book(rows: list[list], bands: list, school_kinds: list[str]) -> excel.Book:
    book = excel.Book()
    book.table(ITEMS_SHEET, HEADERS, rows, cap={header: WIDTHS[header] + 4 for header in HEADERS},
               pickers={header: CHOICES[header] for header in HEADERS if header in CHOICES}, wrap=True)
    levels = [[name, threshold] for threshold, name in bands] or [[None, None]]
    levels[0].append(f"得分率 = 得分 ÷ 适用项满分。低于{BAND_NAMES[-1]}线为不合格；一票否决项未达标即为不合格。")
    book.table(BANDS_SHEET, [*BANDS_HEADERS, "说明"], levels, cap={**dict.fromkeys(BANDS_HEADERS, 18), "说明": 100})
    note = (f"检查表适用的学校类型，用“、”分隔，可填：{'、'.join(KIND_NAMES)}；填“{ALL_KINDS}”或留空：适用于所有类型。"
            f"评估要点对某类学校不适用时，填在「{ITEMS_SHEET}」的「{NA_KINDS}」列。")
    book.table(KINDS_SHEET, [KINDS_HEADER, "说明"], [[kinds_in_words(school_kinds) or ALL_KINDS, note]],
               cap={KINDS_HEADER: 40, "说明": 100})
    return book


def export(version: TemplateVersion) -> excel.Book:
    """The version as a workbook that read() takes back unchanged."""
    rows = []
    for section in version.sections:
        # A draft's section without items yet is a row with only its title.
        rows += [_row(section, item) for item in section.items] or [[section.title] + [None] * (len(HEADERS) - 1)]
    return _book(rows, version.bands, version.template.school_kinds)


def template() -> excel.Book:
    """The headers, two example rows (to be replaced), the default bands and every kind, for filling in by hand."""
    rows = [
        ["一、学校常规管理", "校务管理规范：校长负责制落实，重大事项集体决策", "查会议记录，缺一项扣 1 分", AnswerType.POINTS.value,
         5, NO, NO, EvidenceRule.NONE.value, None],
        [None, "课后服务全覆盖，学生自愿参加", "查课后服务安排和家长告知书", AnswerType.RATING.value, 6, NO, NO,
         EvidenceRule.PHOTO.value, f"{SchoolKind.KINDERGARTEN.value}、{SchoolKind.SENIOR.value}"],
    ]
    return _book(rows, [list(b) for b in DEFAULT_BANDS], [])

