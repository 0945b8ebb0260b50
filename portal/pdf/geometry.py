"""GB/T 9704-2012 page geometry (shared/domain/gbt9704.md), in millimetres and points.

The CSS (templates/pdf/gbt9704.css) is rendered from these figures and the geometry tests read
them back from the PDF: one source for both.
"""
MM_PER_PT = 25.4 / 72

PAGE_W, PAGE_H = 210.0, 297.0           # A4
TOP, LEFT = 37.0, 28.0                  # 天头, 订口
BODY_W, BODY_H = 156.0, 225.0           # 版心 without page numbers
RIGHT = PAGE_W - LEFT - BODY_W          # 26
BOTTOM = PAGE_H - TOP - BODY_H          # 35

LINES, CHARS = 22, 28                   # lines per page, characters per line
SIZE_3 = 16.0                           # 3号 (pt): body
SIZE_2 = 22.0                           # 2号: title
SIZE_4 = 14.0                           # 4号: page numbers, 版记

LINE = BODY_H / LINES                   # line pitch, mm (≈ 10.23 mm, 28.99 pt): every line of a page sits on it
PITCH = BODY_W / CHARS                  # character pitch, mm (≈ 5.57 mm, 15.79 pt)
LETTER_SPACING = PITCH / MM_PER_PT - SIZE_3  # pt, negative: 3号 is a little wider than the pitch
TABLE_SIZE = 12.0                       # 小四: tables, two lines of it to a line of the grid
CAPTION_SIZE = 12.0

MARK_TOP = 35.0                         # 发文机关标志: top edge below the top of the 版心 (文件格式)
RULE_GAP = 4.0                          # red separator under the 发文字号
PAGE_NUMBER_GAP = 7.0                   # page number: its 一字线 (the dashes) this far below the 版心
THICK_RULE, THIN_RULE = 0.35, 0.25      # 版记 rules
RED = "#e60012"                         # the red of the 版头 (close to the usual CMYK 0/100/100/0)


def pt(mm: float) -> float:
    return mm / MM_PER_PT


def baseline(line_mm: float, size: float, metrics: tuple[float, float]) -> float:
    """Where the baseline of text at `size` (pt) sits in a line box `line_mm` high, mm from its top:
    half the leading above the face's ascent (metrics: ascent, descent in em)."""
    ascent, descent = metrics
    return (line_mm - (ascent + descent) * size * MM_PER_PT) / 2 + ascent * size * MM_PER_PT


def css_values() -> dict:
    """The figures the stylesheet is rendered with (mm, pt)."""
    return dict(page_w=PAGE_W, page_h=PAGE_H, top=TOP, left=LEFT, right=RIGHT, bottom=BOTTOM, body_w=BODY_W,
                body_h=BODY_H, line=LINE, pitch=PITCH, letter_spacing=LETTER_SPACING, size_2=SIZE_2, size_3=SIZE_3,
                size_4=SIZE_4, table_size=TABLE_SIZE, caption_size=CAPTION_SIZE, mark_top=MARK_TOP, rule_gap=RULE_GAP, page_number_gap=PAGE_NUMBER_GAP,
                thick=THICK_RULE, thin=THIN_RULE, red=RED)
