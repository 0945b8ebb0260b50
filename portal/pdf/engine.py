"""Rendering: a Letter (what a 公文 says) → HTML (templates/pdf/) → PDF (WeasyPrint).

The 版记 belongs at the bottom of the last page, and that page must be an even one (the back of
the last sheet). CSS cannot pin a block to the bottom of whichever page the flow ends on, so the
engine lays the document out, then moves the 版记 down to the bottom edge of the 版心. When the
flow ends on an odd page, or the 版记 would stand alone, the 版记 is laid out alone on an even page
with no number (after a blank page when needed) and that page takes the place of its old one.
"""
import io
import math
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from . import fonts, geometry
from .fetcher import STATIC_SCHEME, RestrictedFetcher
from .text import Paragraph, chinese_date

PX_PER_MM = 96 / 25.4
TITLE_CHARS = int(geometry.pt(geometry.BODY_W) // geometry.SIZE_2)  # 2号 characters per title line (20)
MARK_MAX_PT = 40.0
# Where a title may break: after these characters, or before these words (never inside a word).
BREAK_AFTER = "的于和与及、，"
BREAK_BEFORE = ("情况", "通报", "通知", "意见", "决定", "工作", "专项", "督导", "中小学", "学校", "整改", "管理")
WORDS = ("中小学校", "中小学", "学校", "幼儿园", "教育", "督导", "专项", "管理", "安全", "工作", "情况", "学期", "课后服务",
         "校园", "整改", "通报", "通知", "意见书", "进一步", "加强", "规范")


@dataclass
class Attachment:
    title: str
    lead: list[str] = field(default_factory=list)        # paragraphs before the table
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    text_columns: frozenset[int] = frozenset()            # left-aligned columns (names, text)
    figures: list[dict] = field(default_factory=list)     # {"src": "dudao-file:…", "caption": …}


@dataclass
class Letter:
    """What one document says, in the standard's parts."""
    title: str
    paragraphs: list[Paragraph]
    issuer: str                                  # 发文机关 (署名, 印发机关)
    mark: str | None = None                      # 发文机关标志; None: no 版头 (a notice, a sheet)
    number: str = ""                             # 发文字号
    addressee: str = ""                          # 主送机关, without the colon
    attachments: list[Attachment] = field(default_factory=list)
    signed_on: date | None = None                # 成文日期
    annotations: list[str] = field(default_factory=list)   # 附注, without the brackets
    cc: str = ""                                 # 抄送
    printed_on: date | None = None               # 印发日期
    colophon: bool = True                        # 版记

    @property
    def title_text(self) -> str:
        return "".join(self.title.split())

    @property
    def title_lines(self) -> list[str]:
        return title_lines(self.title)

    @property
    def signed_on_text(self) -> str:
        return chinese_date(self.signed_on) if self.signed_on else ""

    @property
    def printed_on_text(self) -> str:
        day = self.printed_on or self.signed_on
        return chinese_date(day) if day else ""

    @property
    def printer(self) -> str:
        return self.issuer

    @property
    def mark_size(self) -> float:
        """As large as fits the 版心 width, up to MARK_MAX_PT."""
        return round(min(MARK_MAX_PT, geometry.pt(geometry.BODY_W) * 0.94 / max(width(self.mark or ""), 1)), 1)


def width(text: str) -> float:
    """Width in characters: Chinese (and full-width) 1, Latin letters and digits about half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def title_lines(title: str) -> list[str]:
    """The title's lines: the office's own line breaks, else one line when it fits, else two or
    more lines of even length, the upper ones no longer than the lower (a 梯形), broken only
    between words."""
    given = [line.strip() for line in title.splitlines() if line.strip()]
    if len(given) > 1:
        return given
    text = given[0] if given else ""
    if width(text) <= TITLE_CHARS:
        return [text] if text else []
    count = math.ceil(width(text) / TITLE_CHARS)
    return _split(text, count)


def _split(text: str, count: int) -> list[str]:
    if count <= 1:
        return [text]
    ideal = len(text) / count
    best, best_cost = None, None
    for cut in range(1, len(text)):
        head, tail = text[:cut], text[cut:]
        if width(head) > TITLE_CHARS:
            break
        good = text[cut - 1] in BREAK_AFTER or tail.startswith(BREAK_BEFORE)
        bad = tail[0] in "，。、；：）》”" or head[-1] in "（《“" or _inside_word(text, cut)
        cost = abs(cut - ideal) + (0 if good else 8) + (100 if bad else 0) + (0.5 if cut > ideal else 0)
        if best_cost is None or cost < best_cost:
            best, best_cost = cut, cost
    best = best or int(ideal)
    return [text[:best], *_split(text[best:], count - 1)]


def _inside_word(text: str, cut: int) -> bool:
    return any(_spans(text, word, cut) for word in WORDS)


def _spans(text: str, word: str, cut: int) -> bool:
    start = text.find(word, max(0, cut - len(word) + 1))
    while start != -1 and start < cut:
        if start < cut < start + len(word):
            return True
        start = text.find(word, start + 1)
    return False


def stylesheet(letter: Letter) -> Markup:
    """The stylesheet, our own text only (no user input reaches it)."""
    return Markup(render_template("pdf/gbt9704.css", g=geometry.css_values(), f=fonts.families(),
                                  mark_size=letter.mark_size))


def render_html(template: str, letter: Letter, **context) -> str:
    return render_template(template, doc=letter, css=stylesheet(letter), **context)


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    seconds: float
    refused: list[str]    # URLs the document asked for and did not get


def render(template: str, letter: Letter, files: dict[str, tuple[bytes, str]] | None = None, **context) -> Rendered:
    """The PDF of `letter` laid out by `template` (templates/pdf/…). `files`: bytes the document
    may show (photos), by the name it gives them (dudao-file:<name>)."""
    return to_pdf(render_html(template, letter, **context), files)


def to_pdf(html: str, files: dict[str, tuple[bytes, str]] | None = None) -> Rendered:
    started = time.perf_counter()
    fetcher = RestrictedFetcher(current_app.static_folder, files)
    document = _layout(html, fetcher)
    pages = _place_colophon(document, html, fetcher)
    pdf = document.copy(pages).write_pdf() if pages is not None else document.write_pdf()
    return Rendered(pdf, len(pages if pages is not None else document.pages), time.perf_counter() - started,
                    fetcher.refused)


_local = threading.local()


def font_config() -> FontConfiguration:
    """One per thread: loading the CJK faces again for every document costs time and memory, and a
    configuration is not shared between threads."""
    if not hasattr(_local, "fonts"):
        _local.fonts = FontConfiguration()
    return _local.fonts


def _layout(html: str, fetcher: RestrictedFetcher):
    return HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=fetcher).render(font_config=font_config())


def _find(box, css_class: str):
    """(parent, box) of the first block with `css_class`, depth first."""
    for child in getattr(box, "children", []):
        element = getattr(child, "element", None)
        if element is not None and css_class in (element.get("class") or "").split() and child.element_tag == "div":
            return box, child
        found = _find(child, css_class)
        if found is not None:
            return found
    return None


def _to_bottom(box) -> None:
    bottom = (geometry.TOP + geometry.BODY_H) * PX_PER_MM
    box.translate(dy=bottom - (box.position_y + box.margin_top + box.border_height()))


def _place_colophon(document, html: str, fetcher: RestrictedFetcher):
    """Move the 版记 to the bottom of the 版心. On an even page that has the end of the text it stays
    there. Otherwise (an odd page, or a page of its own) it leaves the flow and goes on an even page
    of its own without a number, after a blank page when needed: that page is laid out alone (a
    small document) and appended. Returns the new list of pages, or None when they are unchanged."""
    for index, page in enumerate(document.pages):
        found = _find(page._page_box, "banji")
        if found is None:
            continue
        parent, box = found
        alone = _first_in_flow(page._page_box) is box
        if (index + 1) % 2 == 0 and not alone:
            _to_bottom(box)
            return None
        if alone:
            kept = document.pages[:index]
        else:
            parent.children = [child for child in parent.children if child is not box]
            kept = document.pages[:index + 1]
        blank = len(kept) % 2 == 0  # the 版记 page must be even: a blank page first
        single = _layout(_colophon_only(html, blank), fetcher)
        _to_bottom(_find(single.pages[-1]._page_box, "banji")[1])
        return kept + single.pages
    return None


def _colophon_only(html: str, blank: bool) -> str:
    """The document's head and its 版记 alone, on a page named colophon (no number)."""
    head = html[:html.index("<body")]
    colophon = html[html.index('<div class="banji">'):html.rindex("</body>")]
    colophon = colophon.replace('class="banji"', 'class="banji banji-alone"', 1)
    before = '<div class="blank-page"></div>' if blank else ""
    return f"{head}<body>{before}{colophon}</body></html>"


def _first_in_flow(page_box):
    """The first block in the page's part of <body> (what the page starts with)."""
    box = page_box
    while getattr(box, "element_tag", None) != "body" and getattr(box, "children", None):
        box = box.children[0]
    return box.children[0] if getattr(box, "children", None) else None


def first_page_png(pdf: bytes, scale: float = 1.0) -> bytes:
    """The first page as a PNG (a live preview), 72 dpi × scale."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=scale).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()
