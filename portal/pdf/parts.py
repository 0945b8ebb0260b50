"""Each part of a 公文 set on the 22-line grid, as the templates ask for it while rendering.

Every line of a page is one line of the grid (10.23 mm): body text, headings, 发文字号, the title's
lines, 附件说明, 署名, table rows (two lines of 小四 to a line). Nothing adds a fraction of a line,
so the lines of page 1 sit where those of every later page do, and a full page holds 22.
"""
import math
from dataclasses import dataclass

from . import geometry as g
from . import titles
from .fonts import Faces
from .text import Paragraph
from .typeset import Line, Setter

MEASURE = g.pt(g.BODY_W)                      # the 版心's width, pt
PITCH = g.pt(g.PITCH)                         # 3号 at the grid's pitch, pt
TITLE_CHARS = int(MEASURE // g.SIZE_2)        # 2号 characters to a title line (20)
LEAD_LEVEL = {1: "hei", 2: "kai", 3: "body", 4: "body"}   # "一、" 黑体, "（一）" 楷体, "1." "（1）" 仿宋
CELL_PADDING = 1.5                            # mm left and right in a table cell
CELL_LINES = 2                                # lines of table text to a line of the grid


@dataclass
class Cell:
    lines: list[Line]
    left: bool = False         # text, flush left (names, notes); figures and short values are centred
    plain: str | None = None   # the text, when it is one line in the cell's own face and spacing


@dataclass
class Row:
    cells: list[Cell]
    height: int = 1            # lines of the grid


@dataclass
class Table:
    widths: list[float]        # per cent of the 版心
    head: Row | None
    rows: list[Row]


class Parts:
    """What the templates set: `words` are names a title must keep whole (its schools)."""

    def __init__(self, faces: Faces, words: tuple[str, ...] = ()):
        self.faces = faces
        self.setter = Setter(faces)
        self.words = words
        self.body_class = self.setter.face_class(faces.first("body"), "body")   # the page's own face (html)

    # Text

    def paragraph(self, p: Paragraph) -> list[Line]:
        """A body paragraph: indented two characters, justified; a heading's lead in its level's face."""
        runs = [(p.lead, LEAD_LEVEL[p.level]), (p.rest, "body")] if p.level else [(p.lead, "body")]
        return self.setter.paragraph(runs, size=g.SIZE_3, measure=MEASURE, pitch=PITCH, first=2 * PITCH)

    def text(self, text: str, first: float = 0, rest: float = 0, level: str = "body") -> list[Line]:
        """Other 3号 text (主送机关, 附注, an attachment's lead), `first` and `rest` in characters."""
        return self.setter.paragraph([(text, level)], size=g.SIZE_3, measure=MEASURE, pitch=PITCH,
                                     first=first * PITCH, rest=rest * PITCH)

    def title(self, title: str, size: float = g.SIZE_2) -> list[Line]:
        """The title's lines (titles.py), each centred on a line of the grid."""
        return [self.setter.line(line, "xbs", size) for line in titles.lines(title, TITLE_CHARS, self.words)]

    def caption(self, text: str) -> list[Line]:
        """A photo's caption: 小四, centred, broken where it runs over."""
        return self.setter.paragraph([(text, "body")], size=g.CAPTION_SIZE, measure=MEASURE, justify=False)

    def label(self, text: str, level: str = "body", size: float = g.SIZE_3) -> Line:
        return self.setter.line(text, level, size, g.pt(g.PITCH) - size if size == g.SIZE_3 else 0.0)

    def note(self, names: list[str]) -> list[Line]:
        """附件说明: “附件：” two characters in; with several, numbered 1．2．…, each number under the
        first, and a name that runs on continues under its own first character."""
        if not names:
            return []
        head = "附件："
        lines: list[Line] = []
        numbered = len(names) > 1
        for n, name in enumerate(names, start=1):
            number = f"{n}．" if numbered else ""
            lead = (head if n == 1 else "") + number
            start = 2 + (0 if n == 1 else self._chars(head))
            lines += self.setter.paragraph([(lead + name, "body")], size=g.SIZE_3, measure=MEASURE, pitch=PITCH,
                                           first=start * PITCH, rest=(2 + self._chars(head + number)) * PITCH)
        return lines

    def signature(self, issuer: str, day: str) -> list[Line]:
        """署名 and 成文日期 without a seal: the 署名 two characters in from the right, the date on the
        next line starting two characters right of the 署名's first; a date longer than that keeps
        two characters from the right and pushes the 署名 left."""
        name, date = self.label(issuer), self.label(day)
        right = MEASURE - 2 * PITCH
        if name.width - 2 * PITCH >= date.width:
            name.indent = right - name.width
            date.indent = name.indent + 2 * PITCH
        else:
            date.indent = right - date.width
            name.indent = date.indent - 2 * PITCH
        return [name, date]

    def _chars(self, text: str) -> float:
        """`text`'s width in characters at the grid's pitch."""
        line = self.label(text)
        return (line.width + g.pt(g.PITCH) - g.SIZE_3) / PITCH

    # Tables

    def table(self, columns: list[str], rows: list[list], widths: list[float], left=(), labels=()) -> Table:
        """A table whose every row is a whole number of grid lines: each cell's text is broken here
        (小四, two lines to a grid line), so the row's height is known before WeasyPrint lays it out.
        `left`: columns of text, flush left; `labels`: columns of labels, in 黑体 like the head."""
        left, labels = frozenset(left), frozenset(labels)
        head = self._row(columns, widths, frozenset(), labels, header=True) if columns else None
        return Table(widths, head, [self._row(row, widths, left, labels) for row in rows])

    def _row(self, values: list, widths: list[float], left: frozenset[int], labels: frozenset[int],
             header: bool = False) -> Row:
        cells = []
        plain_face = {level: self.setter.face_class(self.faces.first(level), level) for level in ("hei", "body")}
        for n, (value, share) in enumerate(zip(values, widths)):
            measure = g.pt(g.BODY_W * share / 100 - 2 * CELL_PADDING)
            level = "hei" if n in labels or header else "body"
            lines = []
            for part in str(value).split("\n"):  # narrow columns stay ragged: justified, they gape
                lines += self.setter.paragraph([(part, level)], size=g.TABLE_SIZE, measure=measure,
                                               justify=False) or [Line([])]
            segments = lines[0].segments if len(lines) == 1 else []
            plain = segments[0].text if len(segments) == 1 and segments[0].face == plain_face[level] and \
                not segments[0].spacing else ("" if len(lines) == 1 and not segments else None)
            cells.append(Cell(lines, n in left, plain))
        height = max(1, math.ceil(max(len(cell.lines) for cell in cells) / CELL_LINES))
        return Row(cells, height)

    # The head of a document with a 版头 (文件格式)

    def number_line(self, mark_size: float) -> int:
        """The grid line of the 发文字号: two blank lines under the 发文机关标志, whose top edge is
        MARK_TOP below the top of the 版心 (the nearest line of the grid)."""
        mark_bottom = g.MARK_TOP + mark_size * g.MM_PER_PT
        return round((mark_bottom + 2 * g.LINE - self.em_top()) / g.LINE)

    def em_top(self) -> float:
        """How far below the top of its line a 3号 body character's em box begins, mm."""
        face = self.faces.first("body")
        return g.baseline(g.LINE, g.SIZE_3, face.metrics) - face.em_box[0] * g.SIZE_3 * g.MM_PER_PT

    def rule_top(self, mark_size: float) -> float:
        """The red separator: RULE_GAP under the 发文字号's em box, mm from the top of the 版心."""
        bottom = self.number_line(mark_size) * g.LINE + self.em_top() + g.SIZE_3 * g.MM_PER_PT
        return bottom + g.RULE_GAP

    def page_number_top(self) -> float:
        """The page number's box top below the 版心 (mm) so that its dashes (一字线) sit
        PAGE_NUMBER_GAP below it: the dash's middle above the baseline comes from the face."""
        face = self.faces.first("song")
        ink = face.ink("—")
        middle = (ink[1] + ink[3]) / 2 if ink else 0.3
        size_mm = g.SIZE_4 * g.MM_PER_PT
        return g.PAGE_NUMBER_GAP - (g.baseline(size_mm, g.SIZE_4, face.metrics) - middle * size_mm)
