"""Lines set by the engine, not by WeasyPrint: which characters go on each line, and the spacing that
makes every line but a paragraph's last reach the right edge of the 版心.

WeasyPrint justifies by widening spaces, and Chinese has none: left to it, a line that cannot end
on its 28th character (the 29th is a comma, 避头) ends two or three characters short. So a
paragraph is broken here, as Word and WPS do it:
- fill the line at the grid's pitch (28 characters of 3号 in 156 mm);
- 避头尾: a closing mark (，。、；：）”…) never begins a line, an opening one (（“《) never ends one;
  numbers and Latin words (2026, 35.0%) and ——/…… are never split;
- when the next character may not begin the next line, first try to pull it in by squeezing the
  line's punctuation (标点挤压: a full-width mark's blank half); when the marks give too little room,
  push the line's last character down with it;
- then spread what is left over the line's gaps (inter-character justification).
Adjacent marks (“）。”, “。”” …) are always squeezed by half a character, as typesetters do.

Each line comes out as segments (runs of one face and one letter-spacing) that the templates put in a
block of its own (templates/pdf/_lines.html): WeasyPrint only places them.
"""
import re
from dataclasses import dataclass

from .fonts import Face, Faces
from .text import full_width_brackets

OPENING = "（〔［【《〈「『“‘｛"
CLOSING = "，。、；：）〕］】》〉」』”’｝！？"
NO_START = CLOSING + "…—·％‰%℃,.;:!?)]}、"
NO_END = OPENING + "([{"
UNBROKEN_PAIRS = ("——", "……")
WORD = re.compile(r"[A-Za-z0-9]+(?:[.:/\-][A-Za-z0-9]+)*%?")
EPS = 0.01     # pt
PULL = 2       # at most this many characters pulled into a line by squeezing
MAX_STRETCH = 0.5  # em added to each gap at most


@dataclass(frozen=True)
class Segment:
    text: str
    face: str          # the face's CSS class
    spacing: float     # letter-spacing (pt): added after each character


@dataclass
class Line:
    segments: list[Segment]
    indent: float = 0.0     # pt from the start of the measure
    width: float = 0.0      # pt from the indent to the end of the last character
    last: bool = True       # a paragraph's last line (not stretched)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass
class Char:
    ch: str
    face: Face
    adv: float              # advance at the size, pt
    cls: str                # the CSS class of its face (and weight)


class Setter:
    """Breaks and spaces text in the faces of one render (fonts.Faces)."""

    def __init__(self, faces: Faces):
        self.faces = faces
        self._halves: dict[tuple[int, str], str] = {}

    def face_class(self, face: Face, level: str) -> str:
        """f<n>, or f<n>b where the level's stand-in face is made bold (小标宋 in Noto Serif)."""
        return f"f{self.faces.used.index(face)}" + ("b" if self.faces.bold(face, level) else "")

    def half(self, face: Face, ch: str) -> str:
        """Which half of the em box is blank for punctuation `ch` in `face`: "right" (a closing mark
        sits in the left half), "left" (an opening one), or "" (neither: not squeezable)."""
        key = (id(face), ch)
        if key not in self._halves:
            side = ""
            if ch in CLOSING or ch in OPENING:
                ink = face.ink(ch)
                if ink is not None and face.advance(ch) > 0.9:
                    if ch in CLOSING and ch not in "！？" and ink[2] <= 0.52:
                        side = "right"
                    elif ch in OPENING and ink[0] >= 0.48:
                        side = "left"
            self._halves[key] = side
        return self._halves[key]

    def chars(self, runs: list[tuple[str, str]], size: float) -> list[Char]:
        """Each run (text, level) in the first face of its level that has all its characters."""
        found = []
        for text, level in runs:
            if not text:
                continue
            face = self.faces.pick(level, text)
            cls = self.face_class(face, level)
            found += [Char(ch, face, face.advance(ch) * size, cls) for ch in text]
        return found

    def paragraph(self, runs: list[tuple[str, str]], *, size: float, measure: float, pitch: float | None = None,
                  first: float = 0.0, rest: float = 0.0, justify: bool = True) -> list[Line]:
        """`runs` set in lines `measure` pt long, the first indented `first` pt and the others `rest`;
        characters at `pitch` (default: their own width). Every line but the last is justified
        unless `justify` is false."""
        text = "".join(t for t, _ in runs)
        runs = [(full_width_brackets(re.sub(r"\s+", " ", t)), level) for t, level in runs]
        chars = self.chars(runs, size)
        if not chars:
            return []
        base = (pitch - size) if pitch else 0.0
        return _set(chars, self, size, measure, first, rest, base, justify) if text.strip() else []

    def line(self, text: str, level: str, size: float, spacing: float = 0.0) -> Line:
        """One line as it comes (a title line, a label): no breaking, no stretching."""
        chars = self.chars([(full_width_brackets(text), level)], size)
        squeeze = _default_squeeze(chars, self, size)
        return _line(chars, 0, len(chars), squeeze, spacing, 0.0, True, self)


def _may_break(chars: list[Char], i: int) -> bool:
    """May a line end between chars[i-1] and chars[i]?"""
    before, after = chars[i - 1].ch, chars[i].ch
    if after in NO_START or before in NO_END:
        return False
    if before + after in UNBROKEN_PAIRS:
        return False
    if after == " ":
        return False  # break after the space, never before it
    return True


def _words(chars: list[Char]) -> set[int]:
    """Positions inside a number or Latin word (no break before them)."""
    text = "".join(c.ch for c in chars)
    inside = set()
    for match in WORD.finditer(text):
        inside.update(range(match.start() + 1, match.end()))
    return inside


def _default_squeeze(chars: list[Char], setter: Setter, size: float) -> list[float]:
    """Adjacent full-width marks: the blank half between them goes (gap i: after chars[i])."""
    squeeze = [0.0] * len(chars)
    for i in range(len(chars) - 1):
        left, right = chars[i], chars[i + 1]
        left_half, right_half = setter.half(left.face, left.ch), setter.half(right.face, right.ch)
        if left_half == "right" and (right_half or right.ch in CLOSING):
            squeeze[i] = size / 2
        elif right_half == "left" and (left_half or left.ch in CLOSING + OPENING):
            squeeze[i] = size / 2
    return squeeze


def _squeezable(chars: list[Char], setter: Setter, size: float, squeeze: list[float]) -> list[float]:
    """What more each gap could give when a line needs room: a mark's blank half."""
    room = [0.0] * len(chars)
    for i in range(len(chars) - 1):
        if squeeze[i]:
            continue
        if setter.half(chars[i].face, chars[i].ch) == "right" or setter.half(chars[i + 1].face, chars[i + 1].ch) == "left":
            room[i] = size / 2
    return room


def _set(chars: list[Char], setter: Setter, size: float, measure: float, first: float, rest: float, base: float,
         justify: bool) -> list[Line]:
    n = len(chars)
    inside = _words(chars)
    breakable = [False] + [i not in inside and _may_break(chars, i) for i in range(1, n)] + [True]
    squeeze = _default_squeeze(chars, setter, size)
    room = _squeezable(chars, setter, size, squeeze)

    def cells(a: int, b: int) -> float:
        """What chars[a:b] take at the pitch: each its advance plus the grid's spacing, less squeezes."""
        return sum(c.adv for c in chars[a:b]) + base * (b - a) - sum(squeeze[a:b - 1])

    lines: list[Line] = []
    start = 0
    while start < n:
        while start < n and chars[start].ch == " ":
            start += 1
        if start == n:
            break
        indent = first if not lines else rest
        avail = measure - indent
        end, width = start + 1, chars[start].adv + base
        while end < n and width + chars[end].adv + base - squeeze[end - 1] <= avail + EPS:
            width += chars[end].adv + base - squeeze[end - 1]
            end += 1
        if end == n:
            lines.append(_line(chars, start, n, squeeze, base, indent, True, setter))
            break
        extra: dict[int, float] = {}
        if not breakable[end]:
            pulled = next((b for b in range(end + 1, min(n, end + PULL) + 1) if breakable[b]), None)
            if pulled is not None:
                need = cells(start, pulled) - avail
                gaps = [i for i in range(start, pulled - 1) if room[i]]
                available = sum(room[i] for i in gaps)
                if need <= available + EPS:
                    extra = {i: room[i] * need / available for i in gaps} if need > 0 else {}
                    end = pulled
            if not extra and end != pulled:
                back = next((b for b in range(end, start, -1) if breakable[b]), None)
                end = back if back is not None else end
        stop = end
        while stop > start + 1 and chars[stop - 1].ch == " ":
            stop -= 1
        line_squeeze = [squeeze[i] + extra.get(i, 0.0) for i in range(n)]
        spacing = base
        if justify and stop - start > 1:  # the slack spread over the gaps: the last cell ends at the edge
            used = sum(c.adv + base for c in chars[start:stop]) - sum(line_squeeze[start:stop - 1])
            spacing = base + (avail - used) / (stop - start - 1)
            if spacing - base > MAX_STRETCH * size:  # a word longer than the line: leave it ragged
                spacing = base
        lines.append(_line(chars, start, stop, line_squeeze, spacing, indent, not justify, setter))
        start = end
    return lines


def _line(chars: list[Char], a: int, b: int, squeeze: list[float], spacing: float, indent: float, last: bool,
          setter: Setter) -> Line:
    segments: list[Segment] = []
    width = 0.0
    for i in range(a, b):
        gap = spacing - (squeeze[i] if i < b - 1 else 0.0)
        face = chars[i].cls
        width += chars[i].adv + (gap if i < b - 1 else 0.0)
        if segments and segments[-1].face == face and abs(segments[-1].spacing - gap) < 1e-4:
            segments[-1] = Segment(segments[-1].text + chars[i].ch, face, segments[-1].spacing)
        else:
            segments.append(Segment(chars[i].ch, face, round(gap, 4)))
    return Line(segments, indent, width, last)
