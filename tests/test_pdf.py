"""The document engine (portal/pdf): GB/T 9704 geometry read back from the PDF's character
positions, the text as it was typed, embedded fonts, a fetcher that reaches nothing outside our
static files, and user text that stays text."""
import http.server
import io
import subprocess
import threading
from collections import defaultdict
from datetime import date

import pdfplumber
import pytest

from portal.pdf import engine, geometry, text
from portal.pdf.engine import Attachment, Letter

MM = 25.4 / 72
EM_TOP = 0.88  # ideographs fill the em box from 0.88 em above the baseline to 0.12 em below
TOL = 1.0      # mm

PLAIN = "学校管理制度建设持续加强教育教学质量稳步提升校园安全防范体系不断完善家校共育机制逐步健全"


def letter(paragraphs=6, rows=0, cc="县教育局", number="X教督〔2026〕3号", **fields) -> Letter:
    body = "\n".join(["一、基本情况", "（一）总体情况。各校高度重视本次督导。", "1.资料齐全。"]
                     + [PLAIN * 3] * paragraphs)
    attachments = [Attachment("督导结果", columns=["名次", "学校"], rows=[[i, f"学校{i}"] for i in range(1, rows + 1)])] if rows else []
    values = dict(title="关于五项管理专项督导情况的通报", paragraphs=text.paragraphs(body), issuer="XX县人民政府教育督导室",
                  mark="XX县人民政府教育督导室文件", number=number, addressee="各中小学、幼儿园",
                  signed_on=date(2026, 11, 23), cc=cc, attachments=attachments)
    values.update(fields)
    return Letter(**values)


@pytest.fixture
def render(app):
    def do(doc: Letter, files=None):
        with app.test_request_context():
            result = engine.render("pdf/base.html", doc, files)
        return result
    return do


def lines_of(page) -> list[list[dict]]:
    """The page's characters as lines (by baseline), each sorted left to right."""
    rows = defaultdict(list)
    for char in page.chars:
        rows[round(char["matrix"][5], 1)].append(char)
    return [sorted(rows[key], key=lambda c: c["x0"]) for key in sorted(rows, reverse=True)]


def em_top(char, page) -> float:
    """Top of the character's em box, mm from the top of the page."""
    return (float(page.height) - char["matrix"][5] - EM_TOP * char["size"]) * MM


def em_bottom(char, page) -> float:
    return (float(page.height) - char["matrix"][5] + (1 - EM_TOP) * char["size"]) * MM


def sized(char, size: float) -> bool:
    return abs(char["size"] - size) < 0.1


def body_lines(page):
    return [line for line in lines_of(page) if sized(line[0], geometry.SIZE_3)]


def number_chars(page):
    return [c for c in page.chars if sized(c, geometry.SIZE_4) and em_top(c, page) > geometry.TOP + geometry.BODY_H]


def test_body_fills_the_type_area_22_lines_of_28_characters(render):
    with pdfplumber.open(io.BytesIO(render(letter(paragraphs=12)).pdf)) as pdf:
        assert len(pdf.pages) >= 3
        for page in pdf.pages:
            for line in body_lines(page):
                for char in line:
                    assert geometry.LEFT - TOL <= char["x0"] * MM and char["x1"] * MM <= geometry.LEFT + geometry.BODY_W + TOL
                    assert geometry.TOP - TOL <= em_top(char, page)
                    assert em_bottom(char, page) <= geometry.TOP + geometry.BODY_H + TOL
        full = pdf.pages[1]  # a page of body text only
        lines = body_lines(full)
        assert len(lines) == geometry.LINES
        pitch = (em_top(lines[-1][0], full) - em_top(lines[0][0], full)) / (geometry.LINES - 1)
        assert pitch == pytest.approx(geometry.BODY_H / geometry.LINES, abs=0.05)
        whole = [line for line in lines if "".join(c["text"] for c in line) in PLAIN * 3 and line[0]["x0"] * MM < geometry.LEFT + 1]
        assert len(whole) >= 10
        for line in whole[:-1]:
            if line[-1]["x1"] * MM > geometry.LEFT + geometry.BODY_W - 2:  # a line that runs to the right edge
                assert len(line) == geometry.CHARS
        assert sum(len(line) == geometry.CHARS for line in whole) >= 8
        paragraph_starts = [line for line in lines if line[0]["x0"] * MM > geometry.LEFT + 1]
        assert all(abs(line[0]["x0"] * MM - geometry.LEFT - 2 * geometry.PITCH) < TOL for line in paragraph_starts)


def test_page_numbers_outside_the_type_area_odd_right_even_left(render):
    with pdfplumber.open(io.BytesIO(render(letter(paragraphs=12, rows=40)).pdf)) as pdf:
        numbered = 0
        for n, page in enumerate(pdf.pages, start=1):
            chars = number_chars(page)
            if not chars:
                continue
            numbered += 1
            assert "".join(c["text"] for c in chars).replace(" ", "") == f"—{n}—"
            top = min(em_top(c, page) for c in chars)
            assert top == pytest.approx(geometry.TOP + geometry.BODY_H + geometry.PAGE_NUMBER_GAP, abs=TOL)
            left, right = min(c["x0"] for c in chars) * MM, max(c["x1"] for c in chars) * MM
            if n % 2:
                assert right == pytest.approx(geometry.LEFT + geometry.BODY_W - geometry.PITCH, abs=TOL)
            else:
                assert left == pytest.approx(geometry.LEFT + geometry.PITCH, abs=TOL)
        assert numbered >= 3


def test_head_mark_number_rule_and_title(render):
    with pdfplumber.open(io.BytesIO(render(letter()).pdf)) as pdf:
        page = pdf.pages[0]
        lines = lines_of(page)
        mark, number, title = lines[0], lines[1], lines[2]
        assert "".join(c["text"] for c in mark) == "XX县人民政府教育督导室文件"
        ideograph = next(c for c in mark if c["text"] == "县")
        assert em_top(ideograph, page) == pytest.approx(geometry.TOP + geometry.MARK_TOP, abs=TOL)
        assert all(c["non_stroking_color"] in ((0.902, 0.0, 0.071), [0.902, 0.0, 0.071]) or c["non_stroking_color"][1] == 0
                   for c in mark)
        assert tuple(round(v, 2) for v in mark[0]["non_stroking_color"])[:2] == (0.9, 0.0)
        assert "".join(c["text"] for c in number) == "X教督〔2026〕3号"
        centre = (min(c["x0"] for c in number) + max(c["x1"] for c in number)) / 2 * MM
        assert centre == pytest.approx(geometry.LEFT + geometry.BODY_W / 2, abs=TOL)
        assert "".join(c["text"] for c in title) == "关于五项管理专项督导情况的通报"
        assert sized(title[0], geometry.SIZE_2) and "Bold" in title[0]["fontname"]
        red = [top for top, _ in rules(page) if top < em_top(title[0], page)]
        assert len(red) == 1, "one red rule under the number"
        assert red[0] - em_bottom(number[-1], page) == pytest.approx(geometry.RULE_GAP, abs=TOL)
        assert any(r["non_stroking_color"][:2] == (0.901961, 0.0) for r in page.rects)


def test_heading_levels_take_their_faces(render):
    with pdfplumber.open(io.BytesIO(render(letter()).pdf)) as pdf:
        chars = pdf.pages[0].chars
        face = lambda ch: next(c["fontname"] for c in chars if c["text"] == ch)  # noqa: E731
        assert "Sans" in face("基")          # 一、基本情况: 黑体 (Noto Sans CJK SC when 黑体 is not installed)
        assert "Serif" in face("齐")          # 1.资料齐全: 仿宋
        assert "Sans" not in face("总")


def test_signature_two_characters_in_and_date_under_it(render):
    with pdfplumber.open(io.BytesIO(render(letter(paragraphs=1)).pdf)) as pdf:
        lines = [line for page in pdf.pages for line in lines_of(page)]
        issuer = next(line for line in lines if "".join(c["text"] for c in line) == "XX县人民政府教育督导室" and sized(line[0], 16))
        day = next(line for line in lines if "".join(c["text"] for c in line) == "2026年11月23日" and sized(line[0], 16))
        assert geometry.LEFT + geometry.BODY_W - issuer[-1]["x1"] * MM == pytest.approx(2 * geometry.PITCH, abs=TOL)
        assert (day[0]["x0"] - issuer[0]["x0"]) * MM == pytest.approx(2 * geometry.PITCH, abs=TOL)


def rules(page) -> list[tuple[float, float]]:
    """Horizontal rules as wide as the 版心: (top, thickness) in mm. WeasyPrint paints a border as
    the area between two rectangles, so a rule is two edges less than half a millimetre apart."""
    edges = sorted({round(v * MM, 2) for r in page.rects if abs(r["width"] * MM - geometry.BODY_W) < TOL
                    for v in (r["top"], r["bottom"])})
    found, i = [], 0
    while i < len(edges) - 1:
        if edges[i + 1] - edges[i] < 0.6:
            found.append((edges[i], round(edges[i + 1] - edges[i], 2)))
            i += 2
        else:
            i += 1
    return found


@pytest.mark.parametrize("paragraphs", [1, 5, 9])
def test_colophon_sits_at_the_bottom_of_an_even_last_page(render, paragraphs):
    with pdfplumber.open(io.BytesIO(render(letter(paragraphs=paragraphs)).pdf)) as pdf:
        assert len(pdf.pages) % 2 == 0
        last = pdf.pages[-1]
        text_of_last = last.extract_text()
        assert "抄送：县教育局。" in text_of_last and "2026年11月23日印发" in text_of_last
        found = rules(last)
        assert [thickness for _, thickness in found] == [0.35, 0.25, 0.35]  # thick, thin, thick
        top, thickness = found[-1]
        assert top + thickness == pytest.approx(geometry.TOP + geometry.BODY_H, abs=TOL)
        alone = not body_lines(last)
        assert bool(number_chars(last)) is not alone  # a page holding only the 版记 carries no number
        for page in pdf.pages[:-1]:
            if not page.chars:  # a blank page before the 版记 carries no number either
                assert not number_chars(page)


def test_attachments_start_on_a_new_page_with_their_label(render):
    with pdfplumber.open(io.BytesIO(render(letter(paragraphs=1, rows=5)).pdf)) as pdf:
        assert "附件：督导结果" in "".join(p.extract_text() for p in pdf.pages)
        labelled = [p for p in pdf.pages if p.extract_text().startswith("附件\n")]
        assert len(labelled) == 1
        label = lines_of(labelled[0])[0]
        assert "Sans" in label[0]["fontname"] and label[0]["x0"] * MM == pytest.approx(geometry.LEFT, abs=TOL)


def test_the_text_extracts_as_typed_and_fonts_are_embedded(render, tmp_path):
    doc = letter(paragraphs=3, rows=3)
    result = render(doc)
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        extracted = "".join(page.extract_text() for page in pdf.pages)
    flat = "".join(extracted.split())
    for number in range(1, result.pages + 1):
        flat = flat.replace(f"—{number}—", "", 1)
    source = "".join(["XX县人民政府教育督导室文件", "X教督〔2026〕3号", doc.title_text, "各中小学、幼儿园：",
                      *(p.lead + p.rest for p in doc.paragraphs), "附件：督导结果", "XX县人民政府教育督导室", "2026年11月23日"])
    assert flat.startswith(source)
    assert "附件督导结果名次学校1学校12学校23学校3" in flat
    assert flat.endswith("抄送：县教育局。2026年11月23日印发XX县人民政府教育督导室") or "抄送：县教育局。" in flat
    path = tmp_path / "doc.pdf"
    path.write_bytes(result.pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert listing and all(" yes " in row for row in listing), listing  # every font embedded (emb column)


class Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        Canary.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    Canary.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_fetcher_refuses_files_and_outside_urls(app, canary, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (f'<html><head><link rel="stylesheet" href="{canary}/style.css">'
            f'<link rel="stylesheet" href="file://{secret}">'
            f'<style>@import url("{canary}/import.css"); p {{ background: url("{canary}/bg.png") }}</style></head>'
            f'<body><p>正文</p><img src="{canary}/a.png"><img src="file:///etc/hostname"><img src="/etc/hostname">'
            f'<img src="dudao-static:../portal/config.py"></body></html>')
    with app.test_request_context():
        result = engine.to_pdf(html)
    assert Canary.hits == []
    assert any(url.startswith("file://") for url in result.refused)
    assert any(url.startswith(canary) for url in result.refused)
    assert "dudao-static:../portal/config.py" in result.refused


def test_static_files_and_given_bytes_are_allowed(app):
    from tests.test_access import PNG

    html = '<html><body><img src="dudao-file:photo"><img src="dudao-static:css/app.css"></body></html>'
    with app.test_request_context():
        result = engine.to_pdf(html, {"photo": (PNG, "image/png")})
    assert result.refused == []


def test_markup_in_user_text_comes_out_as_text(render, canary):
    hostile = f'<b>粗体</b><script>alert(1)</script><img src="{canary}/x.png">'
    doc = letter(paragraphs=0, title=hostile, addressee="各校<i>斜体</i>", cc=f'<a href="{canary}">链接</a>')
    doc.paragraphs = text.paragraphs(f"正文{hostile}\n二、<style>body{{display:none}}</style>")
    with pdfplumber.open(io.BytesIO(render(doc).pdf)) as pdf:
        flat = "".join("".join(page.extract_text() for page in pdf.pages).split())
    assert "<b>粗体</b><script>alert(1)</script>" in flat
    assert "各校<i>斜体</i>：" in flat and "<style>body{display:none}</style>" in flat
    assert Canary.hits == []


@pytest.mark.parametrize("title,expected", [
    ("关于五项管理专项督导情况的通报", ["关于五项管理专项督导情况的通报"]),
    ("关于2026年秋季学期中小学五项管理专项督导情况的通报", ["关于2026年秋季学期", "中小学五项管理专项督导情况的通报"]),
    ("关于进一步加强全县中小学校园安全管理和学生课后服务工作的通知", ["关于进一步加强全县中小学校园安全", "管理和学生课后服务工作的通知"]),
    ("关于城东实验小学等30所学校2026年秋季学期综合督导情况的通报", ["关于城东实验小学等30所", "学校2026年秋季学期综合督导情况的通报"]),
    ("第一行\n第二行", ["第一行", "第二行"]),
])
def test_titles_break_between_words_into_a_trapezoid(title, expected):
    lines = engine.title_lines(title)
    assert lines == expected
    assert all(engine.width(line) <= engine.TITLE_CHARS for line in lines)


def test_headings_dates_and_numbers():
    found = text.paragraphs("一、基本情况\n\n（一）加强领导。各校要重视。\n1.按时完成。\n（2）其他\n正文段落")
    assert [(p.level, p.lead, p.rest) for p in found] == [
        (1, "一、基本情况", ""), (2, "（一）加强领导。", "各校要重视。"), (3, "1.按时完成。", ""), (4, "（2）其他", ""),
        (0, "正文段落", "")]
    assert text.chinese_date(date(2026, 1, 5)) == "2026年1月5日"
    assert text.document_number("X教督", 2026, 3) == "X教督〔2026〕3号"


def test_a_quotation_inside_a_quotation_turns_single():
    assert text.quoted("校长负责制落实，“三重一大”集体决策") == "“校长负责制落实，‘三重一大’集体决策”"
    assert text.quoted("食堂卫生达标") == "“食堂卫生达标”"
