"""Rendering: a Letter (what a 公文 says) → HTML (templates/pdf/) → PDF (WeasyPrint).

The 版记 belongs at the bottom of the last page, and that page must be an even one (the back of
the last sheet). CSS cannot pin a block to the bottom of whichever page the flow ends on, so the
engine lays the document out, then moves the 版记 down to the bottom edge of the 版心. When the
flow ends on an odd page, or the 版记 would stand alone, the 版记 is laid out alone on an even page
with no number (after a blank page when needed) and that page takes the place of its old one.
"""
import io
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from . import fonts, geometry, titles
from .fetcher import STATIC_SCHEME, RestrictedFetcher
from .parts import CELL_PADDING, TITLE_CHARS, Parts
from .text import Paragraph, chinese_date

PX_PER_MM = 96 / 25.4
MARK_MAX_PT = 40.0


@dataclass
class Attachment:
    title: str
    lead: list[str] = field(default_factory=list)        # paragraphs before the table
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    text_columns: frozenset[int] = frozenset()            # left-aligned columns (names, text)
    figures: list[dict] = field(default_factory=list)     # {"src": "dudao-file:…", "caption": …}
    widths: list[float] = field(default_factory=list)     # per cent of the 版心, one per column

    def __post_init__(self):
        if self.columns and not self.widths:  # text columns three times as wide as the others
            weights = [3 if n in self.text_columns else 1 for n in range(len(self.columns))]
            self.widths = [round(100 * w / sum(weights), 2) for w in weights]


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
    words: tuple[str, ...] = ()                  # names a title keeps whole (its schools, townships)

    @property
    def title_text(self) -> str:
        return "".join(self.title.split())

    @property
    def title_lines(self) -> list[str]:
        return titles.lines(self.title, TITLE_CHARS, self.words)

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
        return round(min(MARK_MAX_PT, geometry.pt(geometry.BODY_W) * 0.94 / max(titles.width(self.mark or ""), 1)), 1)

    def attachment_label(self, n: int) -> str:
        """“附件” alone for a single attachment, “附件1”, “附件2” … for several (as the 附件说明
        numbers them and the text refers to them)."""
        return f"附件{n}" if len(self.attachments) > 1 else "附件"


def faces() -> fonts.Faces:
    """The faces of this app's documents (the office's folder DOC_FONT_DIR, then installed faces)."""
    return fonts.discover(current_app.config.get("DOC_FONT_DIR"))


def stylesheet(letter: Letter, parts: Parts) -> Markup:
    """The stylesheet, our own text only (no user input reaches it)."""
    head = None
    if letter.mark:
        number_line = parts.number_line(letter.mark_size)
        head = dict(number_line=number_line, lines=number_line + 2, rule_top=parts.rule_top(letter.mark_size))
    return Markup(render_template("pdf/gbt9704.css", g=geometry.css_values(), faces=parts.faces, head=head,
                                  mark_size=letter.mark_size, number_top=parts.page_number_top(),
                                  cell_padding=CELL_PADDING))


def render_html(template: str, letter: Letter, **context) -> str:
    parts = Parts(faces(), letter.words)
    return render_template(template, doc=letter, parts=parts, g=geometry.css_values(), css=stylesheet(letter, parts),
                           **context)


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
    return pdf_of(html, files, current_app.static_folder, faces().folder)


def pdf_of(html: str, files: dict[str, tuple[bytes, str]] | None, static_folder: str, font_files) -> Rendered:
    """The PDF of a document's HTML, outside any app (what the processes of pool.py run): it may
    read `static_folder`, the bytes in `files` and the office's `font_files`."""
    started = time.perf_counter()
    fetcher = RestrictedFetcher(static_folder, files, font_files)
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
