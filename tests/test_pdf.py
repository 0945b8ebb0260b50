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

from portal.pdf import engine, geometry, parts, text, titles
from portal.pdf.engine import Attachment, Letter

from . import gbt9704

MM = 25.4 / 72
EM_TOP = 0.88  # ideographs fill the em box from 0.88 em above the baseline to 0.12 em below
TOL = 1.0      # mm

PLAIN = "学校管理制度建设持续加强教育教学质量稳步提升校园安全防范体系不断完善家校共育机制逐步健全"
# Punctuation where a line would end: each paragraph leaves a mark, a number or a quotation at the
# 29th character somewhere, so that lines must squeeze or push.
PUNCTUATED = ["各校要对照本通报指出的问题和督学反馈意见，逐项制定整改方案，明确责任人、整改措施和完成时限，2026年12月31日前完成整改。",
              "督学记录：城南小学“招生简章未公示”；城西小学“课后服务以写作业为主，缺少兴趣活动”。其余学校（含教学点）均已整改到位。",
              "本次督导共涉及28所学校，平均得分率为83.5%，优秀12所、良好10所、合格4所、不合格2所。“三重一大”制度执行情况良好。",
              "根据《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）要求，县人民政府教育督导室组织开展了本次督导。"]
WORDS = ("督导", "中小学", "通报", "专项", "管理", "五项管理", "秋季学期", "城东实验小学", "东岗镇九年一贯制学校",
         "挂牌督导", "5所学校", "30所学校", "情况")


def letter(paragraphs=6, rows=0, cc="县教育局", number="X教督〔2026〕3号", body=None, **fields) -> Letter:
    body = body or "\n".join(["一、基本情况", "（一）总体情况。各校高度重视本次督导。", "1.资料齐全。"]
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


def test_page_numbers_7_mm_under_the_type_area_odd_right_even_left(render):
    doc = render(letter(paragraphs=12, rows=40))
    with pdfplumber.open(io.BytesIO(doc.pdf)) as pdf:
        assert sum(bool(number_chars(page)) for page in pdf.pages) >= 3
        assert gbt9704.page_numbers(pdf, doc.pdf) == []


def punctuated(**fields) -> Letter:
    """A circular whose paragraphs are full of marks, numbers and quotations, with headings of every level."""
    body = ["一、基本情况", *PUNCTUATED, "二、存在问题", "（一）制度建设。" + PUNCTUATED[1], "（二）课后服务管理不够规范，"
            "部分学校课后服务以写作业为主。" + PUNCTUATED[0], "1.资料不全。" + PUNCTUATED[2], "（1）" + PUNCTUATED[3],
            "三、整改要求", *PUNCTUATED[::-1], *PUNCTUATED]
    return letter(body="\n".join(body * 2), **fields)


def standard_faces(app) -> dict:
    with app.app_context():
        found = engine.faces()
    return {level: found.first(level) for level in ("xbs", "body", "hei", "kai")}


@pytest.mark.parametrize("make", [lambda: letter(paragraphs=12, rows=30), punctuated,
                                  lambda: punctuated(mark=None, number="", title="城东实验小学督导意见书")])
def test_every_rule_read_back_from_the_pdf(app, render, make):
    """22 lines on the same grid on every page (page 1 too), justified lines, faces by level, page
    numbers, the title's breaks."""
    doc = render(make())
    assert gbt9704.every_rule(doc.pdf, standard_faces(app), WORDS, "XX县人民政府教育督导室") == []


def test_lines_that_would_end_on_a_mark_squeeze_or_push_and_all_reach_the_right_edge(render):
    with pdfplumber.open(io.BytesIO(render(punctuated()).pdf)) as pdf:
        lines = [gbt9704.text_of(line) for page in pdf.pages for line in gbt9704.body_lines(page)]
        assert gbt9704.right_edges(pdf) == []
        continued = [line for page in gbt9704.body_pages(pdf) for line in gbt9704.body_lines(page)]
    assert all(not line or line[0] not in text.CLOSING_MARKS for line in lines)     # 避头
    assert all(not line or line[-1] not in "（“《〔" for line in lines)               # 避尾
    assert any(len(line) > geometry.CHARS for line in lines)   # a line that squeezed its marks to take one more
    assert any(len(line) < geometry.CHARS and line[-1] not in "。”" for line in lines)  # one that pushed a character down
    assert not any("202" in a[-3:] and b[:1].isdigit() for a, b in zip(lines, lines[1:]))  # numbers never split
    assert len(continued) > 40


def test_a_heading_never_ends_a_page(app, render):
    """One-line paragraphs before 二、存在问题, one more each time: at some count the heading falls on the
    last line of page 1, and goes over to page 2 with its first line instead."""
    for count in range(12):
        body = "\n".join(["一、基本情况", *["各校按要求完成自查。"] * count, "二、存在问题", PUNCTUATED[0], PUNCTUATED[1]])
        doc = render(letter(body=body))
        with pdfplumber.open(io.BytesIO(doc.pdf)) as pdf:
            assert gbt9704.full_pages(pdf, "XX县人民政府教育督导室") == [], count
            assert gbt9704.grid(pdf) == []


def test_the_office_font_folder_comes_first(app, render, tmp_path):
    """A face dropped into DOC_FONT_DIR under a standard name is used for its level (here the free 楷体
    renamed 楷体_GB2312, standing in for the office's licensed file)."""
    from fontTools.ttLib import TTFont

    with app.app_context():
        kai = next(face for face in engine.faces().levels["kai"] if face.family == "AR PL KaitiM GB")
    font = TTFont(str(kai.path))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "楷体_GB2312" if record.platformID == 3 and record.langID == 0x804 else "KaiTi_GB2312"
        elif record.nameID == 6:
            record.string = "KaiTi_GB2312"
    font.save(str(tmp_path / "simkai.ttf"))
    font.close()
    app.config["DOC_FONT_DIR"] = str(tmp_path)
    with app.app_context():
        found = engine.faces()
        assert found.first("kai").path == tmp_path / "simkai.ttf" and found.first("kai") in found.licensed
    doc = render(letter())
    listing = subprocess.run(["pdffonts", "-"], input=doc.pdf, capture_output=True, check=False).stdout.decode()
    with pdfplumber.open(io.BytesIO(doc.pdf)) as pdf:
        lead = next(line for line in gbt9704.lines_of(pdf.pages[0]) if gbt9704.text_of(line).startswith("（一）"))
        assert lead[0]["fontname"].endswith("+KaiTi_GB2312"), lead[0]["fontname"]
        assert gbt9704.faces(pdf, {**standard_faces(app), "kai": found.first("kai")}) == []
    assert doc.refused == []
    assert "KaiTi_GB2312" in listing  # embedded


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
        assert "Serif" in face("齐")          # 1.资料齐全: 仿宋 (the 宋 face: no free 仿宋 covers GB 2312)
        assert "Kai" in face("总")            # （一）总体情况: 楷体 (AR PL KaitiM GB, installed by make)
        assert "Serif" in face("视")          # …各校高度重视: the body face again after the lead


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
    ("关于2026年秋季学期中小学五项管理专项督导情况的通报", ["关于2026年秋季学期中小学", "五项管理专项督导情况的通报"]),
    ("关于进一步加强全县中小学校园安全管理和学生课后服务工作的通知", ["关于进一步加强全县中小学", "校园安全管理和学生课后服务工作的通知"]),
    ("关于城东实验小学等30所学校2026年秋季学期综合督导情况的通报", ["关于城东实验小学等30所学校", "2026年秋季学期综合督导情况的通报"]),
    ("关于东岗镇九年一贯制学校等5所学校挂牌督导情况的通报", ["关于东岗镇九年一贯制学校", "等5所学校挂牌督导情况的通报"]),
    ("第一行\n第二行", ["第一行", "第二行"]),
])
def test_titles_break_between_words_into_a_trapezoid(title, expected):
    lines = titles.lines(title, parts.TITLE_CHARS, ("城东实验小学", "东岗镇九年一贯制学校"))
    assert lines == expected
    assert all(titles.width(line) <= parts.TITLE_CHARS for line in lines)
    assert gbt9704.title_breaks(lines, WORDS) == []


def test_a_title_never_splits_a_number_from_its_measure_word_or_a_bracket():
    for title in ("关于2026年春季学期全县各中小学校幼儿园食品安全专项督导检查情况的通报",
                  "关于印发《县域义务教育优质均衡发展督导评估办法（试行）》实施细则的通知",
                  "关于对全县第三批共计12所义务教育学校开展挂牌督导工作情况的通报"):
        lines = titles.lines(title, parts.TITLE_CHARS)
        assert "".join(lines) == title and len(lines) in (2, 3)
        assert gbt9704.title_breaks(lines, WORDS + ("12所学校", "第三批", "2026年", "办法（试行）")) == [], lines


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
