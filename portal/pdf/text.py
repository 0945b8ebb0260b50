"""Body text as the office types it (one paragraph a line) to the paragraphs a 公文 shows, and
the few written forms GB/T 9704 fixes (dates, document numbers)."""
import re
from dataclasses import dataclass
from datetime import date

# Heading levels by their numbering: "一、" 黑体, "（一）" 楷体, "1." / "（1）" 仿宋 (the third in bold).
LEVELS = [
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十]+[）)]")),
    (3, re.compile(r"^\d+[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d+[）)]")),
]
SENTENCE_END = re.compile(r"[。！？；：]")
CLOSING_MARKS = "，。、；：）〕】》」』”’！？"   # never at the start of a line (避头)
# Half-width brackets around Chinese text: 发展集团(分校)带动 → 发展集团（分校）带动.
HALF_BRACKETS = re.compile(r"\(([^()]*[\u3400-\u9fff][^()]*)\)|(?<=[\u3400-\u9fff])\(([^()]*)\)")


@dataclass(frozen=True)
class Paragraph:
    level: int      # 0 body text, 1-4 heading levels
    lead: str       # the heading (to its first full stop), in the level's face
    rest: str = ""  # what follows on the same line, in the body face


def paragraphs(text: str) -> list[Paragraph]:
    """One paragraph per non-blank line. A line starting with a heading number is a heading; when
    the heading sentence runs on (（一）加强领导。各校要……) only its first sentence takes the
    heading's face, as typists do."""
    found = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        level = next((n for n, pattern in LEVELS if pattern.match(line)), 0)
        if level:
            end = SENTENCE_END.search(line)
            cut = end.end() if end else len(line)
            found.append(Paragraph(level, line[:cut], line[cut:]))
        else:
            found.append(Paragraph(0, line))
    return found


def full_width_brackets(text: str) -> str:
    """A 公文 brackets Chinese in full-width （）; half-width ones around Latin or figures stay."""
    return HALF_BRACKETS.sub(lambda m: f"（{m.group(1) if m.group(1) is not None else m.group(2)}）", text)


def chinese_date(day: date) -> str:
    """成文日期: Arabic numerals, the year in full, no zero padding: 2026年11月23日."""
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(prefix: str, year: int, sequence: int) -> str:
    """发文字号: X教督〔2026〕3号 (六角括号, no 第, no leading zeros)."""
    return f"{prefix}〔{year}〕{sequence}号"


DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (heading numbers up to 99)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[ones] if ones else "")


def quoted(text: str) -> str:
    """“text”, its own quotation marks turned single, as GB/T 15834 nests them:
    校务管理规范（“三重一大”） → “校务管理规范（‘三重一大’）”."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"
