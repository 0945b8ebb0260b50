"""GB/T 9704 read back from a PDF (pdfplumber's character boxes, pypdfium2's pixels): each check
returns what a clerk would send back, as a list of sentences (empty: the rule holds).

- grid: every 3号 line of every page on the same 22-line grid, page 1 included;
- full_pages: a page the text runs on from fills all 22 lines, unless its next page begins with a
  heading (kept with its first line) or the 署名; no page ends with a heading;
- right_edges: every line that is not its paragraph's last reaches the right edge of the 版心
  (short by at most a quarter character);
- faces: 一、 headings in the 黑体 face, （一） leads in the 楷体 face, the title in the 小标宋 face,
  the body in the body face, one face for a paragraph's text;
- page_numbers: the dashes 7 mm under the 版心, odd pages right and even pages left, one character in;
- title_breaks: the title's lines never split a word of a list, and form a 梯形 or 菱形.
"""
import io
from collections import defaultdict

import pdfplumber
import pypdfium2

from portal.pdf import geometry as g

MM = 25.4 / 72
QUARTER = g.PITCH / 4          # mm
ON_GRID = 0.1                  # mm: a line's baseline this close to its place on the grid
HEADINGS = ("一二三四五六七八九十", "（")


def open_pdf(data: bytes):
    return pdfplumber.open(io.BytesIO(data))


def text_of(line) -> str:
    return "".join(c["text"] for c in line)


def lines_of(page) -> list[list[dict]]:
    """The page's characters as lines (by baseline), each sorted left to right."""
    rows = defaultdict(list)
    for char in page.chars:
        rows[round(char["matrix"][5], 1)].append(char)
    return [sorted(rows[key], key=lambda c: c["x0"]) for key in sorted(rows, reverse=True)]


def sized(char, size: float) -> bool:
    return abs(char["size"] - size) < 0.1


def baseline(char, page) -> float:
    """mm from the top of the 版心."""
    return (float(page.height) - char["matrix"][5]) * MM - g.TOP


def body_lines(page) -> list[list[dict]]:
    """3号 lines inside the 版心 (not page numbers, not the 版记's 4号, not table text)."""
    return [line for line in lines_of(page) if sized(line[0], g.SIZE_3) and 0 < baseline(line[0], page) < g.BODY_H]


def slot(line, page) -> int:
    return int(baseline(line[0], page) // g.LINE)


def font(char) -> str:
    """The face's name as the PDF embeds it, without the subset tag and weight."""
    return char["fontname"].split("+")[-1].removesuffix("-Bold")


def pdf_name(face) -> str:
    """The name the PDF embeds a face under (an office's file: its ASCII name, see Faces.css_name)."""
    name = next((n for n in sorted(face.names) if n.isascii()), face.family) if face.from_folder else face.family
    return name.replace(" ", "-")


# The rules

def grid(pdf) -> list[str]:
    offsets = [(n, text_of(line), baseline(line[0], page) % g.LINE)
               for n, page in enumerate(pdf.pages, 1) for line in body_lines(page)]
    if not offsets:
        return []
    first = offsets[0][2]
    return [f"第{n}页“{text[:10]}”离开22行网格 {offset - first:+.2f} mm" for n, text, offset in offsets
            if abs(offset - first) > ON_GRID]


def body_pages(pdf) -> list:
    """The pages of the text, up to the one with the 署名 (before the attachments)."""
    pages = []
    for page in pdf.pages:
        first = body_lines(page)[:1]
        if first and text_of(first[0]).startswith("附件") and slot(first[0], page) == 0 and pages:
            break
        pages.append(page)
    return pages


def is_heading(line, body_font: str) -> bool:
    """A heading alone on its line: 一、…/（一）… in a face that is not the body's."""
    text = text_of(line).strip()
    return bool(text) and text[0] in "".join(HEADINGS) and all(font(c) != body_font for c in line if c["text"].strip())


def body_font(pdf) -> str:
    counts = defaultdict(int)
    for page in pdf.pages:
        for line in body_lines(page):
            for char in line:
                counts[font(char)] += 1
    return max(counts, key=counts.get)


def occupied(page) -> set[int]:
    """Grid lines holding text (any size) or a table row."""
    slots = {int((baseline(c, page) - 0.01) // g.LINE) for c in page.chars if 0 < baseline(c, page) < g.BODY_H}
    for rule in page.lines + page.rects:
        top = rule["top"] * MM - g.TOP
        if 0 <= top < g.BODY_H and rule["width"] * MM > 5:
            slots.add(int((top + 0.2) // g.LINE))
    return slots


def full_pages(pdf, signature: str = "") -> list[str]:
    found = []
    pages = body_pages(pdf)
    body = body_font(pdf)
    for n, (page, after) in enumerate(zip(pages, pages[1:]), 1):
        lines, nxt = body_lines(page), body_lines(after)[:1]
        continued = nxt and abs(nxt[0][0]["x0"] * MM - g.LEFT) < 0.3  # the paragraph runs on (its lead was long)
        if lines and is_heading(lines[-1], body) and slot(lines[-1], page) == max(occupied(page)) and not continued:
            found.append(f"第{n}页以标题“{text_of(lines[-1])}”结束")
        if g.LINES - 1 in occupied(page):
            continue
        # Kept together: a heading with its first line; the 署名 with the end of the text before it.
        closing = signature and any(text_of(line).strip() == signature for line in body_lines(after))
        held = nxt and (is_heading(nxt[0], body) or closing)
        if not held:
            found.append(f"第{n}页只排了 {len(occupied(page))} 行（应为 {g.LINES} 行）")
    return found


def right_edges(pdf) -> list[str]:
    """A line followed (on the next grid line, or at the top of the next page) by a line starting at
    the left edge of the 版心 is not its paragraph's last: it must reach the right edge."""
    found = []
    edge = g.LEFT + g.BODY_W
    sequence = [(n, page, line) for n, page in enumerate(body_pages(pdf), 1) for line in body_lines(page)]
    for (n, page, line), (m, after_page, after) in zip(sequence, sequence[1:]):
        follows = (m == n and slot(after, after_page) == slot(line, page) + 1) or (m == n + 1 and slot(after, after_page) == 0)
        if not follows or abs(after[0]["x0"] * MM - g.LEFT) > 0.3:
            continue
        short = edge - line[-1]["x1"] * MM
        if short > QUARTER:
            found.append(f"第{n}页“{text_of(line)[-8:]}”距右边缘 {short:.1f} mm")
        if short < -1.0:
            found.append(f"第{n}页“{text_of(line)[-8:]}”超出右边缘 {-short:.1f} mm")
    return found


def faces(pdf, expected: dict[str, object]) -> list[str]:
    """`expected`: the faces by level (portal.pdf.fonts.Faces.first) — xbs, body, hei, kai."""
    want = {level: pdf_name(face) for level, face in expected.items()}
    found = []
    for n, page in enumerate(body_pages(pdf), 1):
        for line in lines_of(page):
            text = text_of(line)
            if sized(line[0], g.SIZE_2) and baseline(line[0], page) < g.BODY_H and font(line[0]) != want["xbs"]:
                found.append(f"第{n}页标题“{text}”用了 {font(line[0])}（应为 {want['xbs']}）")
            if not sized(line[0], g.SIZE_3) or not 0 < baseline(line[0], page) < g.BODY_H:
                continue
            lead = next((level for level, starts in (("hei", "一二三四五六七八九十"), ("kai", "（"))
                         if text[:1] in starts and text.find("、" if level == "hei" else "）") in range(1, 4)
                         and (level == "hei" or text[1:2] in "一二三四五六七八九十")), None)
            rest = line
            if lead and line[0]["x0"] * MM > g.LEFT + 1:  # a heading's first line (indented two characters)
                head = [c for c in line if font(c) == want[lead]]
                if not head or font(line[0]) != want[lead]:
                    found.append(f"第{n}页“{text[:8]}”未用{lead}字体 {want[lead]}（{font(line[0])}）")
                rest = [c for c in line if font(c) != want[lead]]
            # A heading's first sentence may run on to the next line, then the body face follows: one
            # change at most, from a heading face to the body face; never back, never a third face.
            runs = [font(c) for c in rest if c["text"].strip()]
            changes = [(a, b) for a, b in zip(runs, runs[1:]) if a != b]
            if len(changes) > 1 or any(a not in (want["hei"], want["kai"]) or b != want["body"] for a, b in changes):
                found.append(f"第{n}页“{text[:10]}”一段中混用字体 {sorted(set(runs))}")
    return found


def dash_ink(document, index: int, chars) -> tuple[float, float] | None:
    """The ink of the page number's dashes, (top, bottom) mm from the top of the page, read from the
    rendered page's pixels. Only the strip around the dashes is rendered (at 8 px a point a whole
    A4 page is 32 million pixels, most of a document's check): its pixels are the whole page's,
    the strip starting on a whole pixel."""
    scale = 8
    dashes = [c for c in chars if c["text"] in "—"]
    if not dashes:
        return None
    page = document[index]
    width, height = page.get_size()
    # The strip in whole pixels of the page's image, a few beyond the rows and columns looked at.
    left, right = int(min(d["x0"] for d in dashes) * scale) - 8, int(max(d["x1"] for d in dashes) * scale) + 8
    top, bottom = int(min(d["top"] for d in dashes) * scale) - 16, int(max(d["bottom"] for d in dashes) * scale) + 16
    crop = (left / scale, height - bottom / scale, width - right / scale, top / scale)
    image = page.render(scale=scale, crop=crop).to_pil().convert("L")
    rows = set()
    for dash in dashes:
        for x in range(int(dash["x0"] * scale) + 2, int(dash["x1"] * scale) - 2):
            for y in range(int(dash["top"] * scale) - 4, int(dash["bottom"] * scale) + 4):
                if image.getpixel((x - left, y - top)) < 128:
                    rows.add(y)
    if not rows:
        return None
    return min(rows) / scale * MM, (max(rows) + 1) / scale * MM


def page_numbers(pdf, pdf_bytes: bytes) -> list[str]:
    found = []
    document = pypdfium2.PdfDocument(pdf_bytes)  # opened once for every page's dashes
    try:
        for n, page in enumerate(pdf.pages, 1):
            chars = [c for c in page.chars if sized(c, g.SIZE_4) and baseline(c, page) > g.BODY_H]
            if not chars:
                continue
            if text_of(sorted(chars, key=lambda c: c["x0"])).replace(" ", "") != f"—{n}—":
                found.append(f"第{n}页页码为“{text_of(chars)}”")
            ink = dash_ink(document, n - 1, chars)
            middle = (ink[0] + ink[1]) / 2 - g.TOP - g.BODY_H if ink else None
            if middle is None or abs(middle - g.PAGE_NUMBER_GAP) > 0.5:
                found.append(f"第{n}页页码的一字线距版心 {middle if middle is None else round(middle, 1)} mm（应为 7 mm）")
            left, right = min(c["x0"] for c in chars) * MM, max(c["x1"] for c in chars) * MM
            if n % 2 and abs(right - (g.LEFT + g.BODY_W - g.PITCH)) > 0.5:
                found.append(f"第{n}页（单页）页码右端距版心右边缘 {g.LEFT + g.BODY_W - right:.1f} mm（应为一字）")
            if not n % 2 and abs(left - (g.LEFT + g.PITCH)) > 0.5:
                found.append(f"第{n}页（双页）页码左端距版心左边缘 {left - g.LEFT:.1f} mm（应为一字）")
    finally:
        document.close()
    return found


def title_lines(pdf) -> list[str]:
    """The 2号 lines at the top of the first page (the title)."""
    page = pdf.pages[0]
    return [text_of(line) for line in lines_of(page) if sized(line[0], g.SIZE_2) and 0 < baseline(line[0], page) < g.BODY_H]


def width(text: str) -> float:
    return sum(1 if ord(ch) > 0x2000 else 0.55 for ch in text)


def title_breaks(lines: list[str], words) -> list[str]:
    found = []
    text = "".join(lines)
    cuts, at = [], 0
    for line in lines[:-1]:
        at += len(line)
        cuts.append(at)
    for word in words:
        start = text.find(word)
        while start != -1:
            for cut in cuts:
                if start < cut < start + len(word):
                    found.append(f"标题在“{word}”中间断行：{' / '.join(lines)}")
            start = text.find(word, start + 1)
    widths = [width(line) for line in lines]
    rising = all(a <= b + 0.01 for a, b in zip(widths, widths[1:]))
    top = widths.index(max(widths)) if widths else 0
    diamond = 0 < top < len(widths) - 1 and all(a <= b + 0.01 for a, b in zip(widths[:top], widths[1:top + 1])) and all(
        a >= b - 0.01 for a, b in zip(widths[top:], widths[top + 1:]))
    if len(lines) > 1 and not (rising or diamond):
        found.append(f"标题不是梯形或菱形：{' / '.join(lines)}")
    return found


def every_rule(data: bytes, expected_faces: dict, words=(), signature: str = "") -> list[str]:
    """All of the above for one document."""
    with open_pdf(data) as pdf:
        return (grid(pdf) + full_pages(pdf, signature) + right_edges(pdf) + faces(pdf, expected_faces)
                + page_numbers(pdf, data) + title_breaks(title_lines(pdf), words))
