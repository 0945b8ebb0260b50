"""A title in lines (GB/T 9704: 回行时要做到词意完整，排列对称，长短适宜): broken only between words,
as few lines as fit the 版心, shaped as the standard's 梯形 (each line no longer than the next) or
菱形 (the middle line longest).

Words come from jieba (a well-kept Chinese segmenter) with a user dictionary: the office's own terms
(terms.txt) and whatever names the document passes in (its schools, townships, groups), so that
“东岗镇九年一贯制学校” or “挂牌督导” is never cut. On top of the words, a few phrases stay whole:
a number with its measure word and noun (“5所学校”, “2026年”), anything in brackets or quotes, and
“的” stays with what it follows.
"""
import itertools
import logging
import math
import threading
import unicodedata
from pathlib import Path

import jieba

TERMS = tuple(line.strip() for line in (Path(__file__).parent / "terms.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#"))
WORD_FREQ = 10 ** 6            # user words outweigh any split of them
NUMERALS = set("0123456789０１２３４５６７８９一二三四五六七八九十百千两")
MEASURES = set("所个项名位次批期号届级类年月日周天节条件份篇人校家")
GOOD_AFTER = set("的和与及、，")
NEVER_BEFORE = set("的和与及之，。、；：）〕》”")
WEAK_BEFORE = {"等": 6.0}          # “关于……学校 / 等5所学校……” reads, but less well
SHORT, SHORT_COST = 4, 10.0       # a line of two or three characters (“关于”) stands out
OPENING, CLOSING = "（〔《“【", "）〕》”】"
MAX_LINES = 4
INSIDE_BRACKETS = 30.0

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_added: set[str] = set()


def width(text: str) -> float:
    """Width in characters: Chinese (and full-width) 1, Latin letters and digits about half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def words(text: str, known: tuple[str, ...] = ()) -> list[str]:
    """`text` in words, `known` (and the office's terms) kept whole."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            _tokenizer = jieba.Tokenizer()
        for word in (*TERMS, *known):
            if word and word not in _added:
                _tokenizer.add_word(word, freq=WORD_FREQ)
                _added.add(word)
        return list(_tokenizer.cut(text, HMM=False))


def _number(word: str) -> bool:
    return all(ch in NUMERALS for ch in word)


def _penalties(parts: list[str]) -> list[float]:
    """The cost of a break after each word but the last (inf: never)."""
    text = "".join(parts)
    depth, open_at = 0, []  # brackets still open before each position
    for ch in text:
        open_at.append(depth)
        depth = depth + 1 if ch in OPENING else max(0, depth - 1) if ch in CLOSING else depth
    costs = []
    end = 0
    for n, word in enumerate(parts[:-1]):
        end += len(word)
        following = parts[n + 1]
        if following[0] in NEVER_BEFORE or word[-1] in OPENING:
            cost = math.inf
        elif open_at[end]:
            cost = INSIDE_BRACKETS               # only when what is in them is longer than a line
        elif _number(word) or word == "第":
            cost = math.inf                      # 5|所, 2026|年, 第|三
        elif word in MEASURES and n > 0 and _number(parts[n - 1]):
            cost = math.inf                      # 5所|学校
        else:
            cost = WEAK_BEFORE.get(following[0], 0.0 if word[-1] in GOOD_AFTER else 3.0)
        costs.append(cost)
    return costs


def _shape_ok(widths: list[float]) -> bool:
    """梯形: each line no longer than the next; 菱形: rising to a longest middle, then falling."""
    if all(a <= b + 0.01 for a, b in zip(widths, widths[1:])):
        return True
    top = widths.index(max(widths))
    return 0 < top < len(widths) - 1 and all(a <= b + 0.01 for a, b in zip(widths[:top], widths[1:top + 1])) and all(
        a >= b - 0.01 for a, b in zip(widths[top:], widths[top + 1:]))


def lines(title: str, limit: float, known: tuple[str, ...] = ()) -> list[str]:
    """The title's lines: the office's own line breaks when it typed them, one line when it fits in
    `limit` characters, else the fewest lines that fit, broken between words into a 梯形 or 菱形,
    as even as the words allow."""
    given = [line.strip() for line in title.splitlines() if line.strip()]
    if len(given) > 1:
        return given
    text = given[0] if given else ""
    if width(text) <= limit:
        return [text] if text else []
    parts = words(text, known)
    costs = _penalties(parts)
    sizes = [width(part) for part in parts]
    total = sum(sizes)
    for count in range(math.ceil(total / limit), MAX_LINES + 1):
        best, best_cost = None, math.inf
        for cuts in itertools.combinations(range(1, len(parts)), count - 1):
            edges = (0, *cuts, len(parts))
            widths = [sum(sizes[a:b]) for a, b in zip(edges, edges[1:])]
            if max(widths) > limit or not _shape_ok(widths):
                continue
            cost = (sum(costs[c - 1] for c in cuts) + sum(abs(w - total / count) for w in widths)
                    + SHORT_COST * sum(w < SHORT for w in widths))
            if cost < best_cost:
                best, best_cost = edges, cost
        if best is not None:
            return ["".join(parts[a:b]) for a, b in zip(best, best[1:])]
    return _by_width(text, limit)


def _by_width(text: str, limit: float) -> list[str]:
    """No arrangement between words fits (one word longer than a line): cut where the line is full."""
    found, line = [], ""
    for ch in text:
        if line and width(line + ch) > limit:
            found.append(line)
            line = ""
        line += ch
    return [*found, line]
