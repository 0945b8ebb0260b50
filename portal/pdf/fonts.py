"""The faces of a 公文, level by level: the standard's own (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312:
commercial, on every office PC) when the office has put their files in DOC_FONT_DIR or installed them,
otherwise free faces with full simplified-Chinese coverage that `make` installs (Noto CJK SC, AR PL
KaitiM GB).

A body face must cover simplified Chinese completely: a 仿宋 that lacks characters would leave
fontconfig to fill the gaps from another face, and one paragraph would show two faces. No free 仿宋
does (cwTeX 仿宋 covers 65 % of GB 2312), so without the office's file the body stays in the 宋 face
(Noto Serif CJK SC). For the same reason a run of text (a heading's lead, a paragraph) takes the
first face of its level that has every one of its characters, never a mix (see Faces.pick).

Widths and ink come from the font files themselves (fontTools): the engine sets its own lines
(typeset.py) and needs each character's advance and where a punctuation mark's ink sits.
"""
import logging
import mmap
import subprocess
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTCollection, TTFont

# AR PL KaitiM GB's glyf table is four bytes longer than its index says: fontTools logs it on every load.
logging.getLogger("fontTools.ttLib.tables._g_l_y_f").setLevel(logging.ERROR)

FONT_FILES = (".ttf", ".otf", ".ttc", ".otc")
# Each level's faces, best first: the standard's names (as their files name themselves, Chinese and
# English), then free faces. "body" is the 仿宋 of the text, 发文字号, 附件说明, 署名 and 版记.
STANDARD = {
    "xbs": ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"),
    "body": ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"),
    "hei": ("黑体", "SimHei"),
    "kai": ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
    "song": ("宋体", "SimSun"),
}
FREE = {
    "xbs": ("Noto Serif CJK SC",),
    "body": ("Noto Serif CJK SC",),
    "hei": ("Noto Sans CJK SC",),
    "kai": ("AR PL KaitiM GB", "LXGW WenKai", "Noto Serif CJK SC"),
    "song": ("Noto Serif CJK SC",),
}
# What each level is for (the settings page lists them in this order).
LEVELS = {
    "xbs": "发文机关标志、标题（小标宋）",
    "body": "正文、发文字号、三级和四级标题（仿宋）",
    "hei": "一级标题“一、”、附件标识、表头（黑体）",
    "kai": "二级标题“（一）”（楷体）",
    "song": "页码（宋体）",
}
# 小标宋 is a bold face by design; its free stand-in (Noto Serif) is made bold instead.
BOLD_STAND_IN = {"xbs"}
# A free 仿宋 that fontconfig reports is used for the body only if it has every GB 2312 hanzi.
FANGSONG_NAMES = ("仿宋", "FangSong", "Fangsong", "fangsong")


def gb2312_hanzi() -> str:
    """The 6,763 hanzi of GB 2312 (rows 16-87)."""
    chars = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


GB2312 = gb2312_hanzi()


@dataclass(eq=False)
class Face:
    """One font file (one face of a collection) and what the engine reads from it."""
    family: str                  # its (first) family name
    path: Path
    index: int = 0
    from_folder: bool = False    # found in DOC_FONT_DIR (served to WeasyPrint through @font-face)
    names: frozenset[str] = frozenset()

    @cached_property
    def _font(self) -> TTFont:
        """Read lazily from a memory map of the file (shared between processes, no file left open)."""
        with self.path.open("rb") as file:
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        return TTFont(data, fontNumber=self.index, lazy=True)

    @cached_property
    def cmap(self) -> dict[int, str]:
        return self._font.getBestCmap()

    @cached_property
    def units(self) -> int:
        return self._font["head"].unitsPerEm

    @cached_property
    def _advances(self) -> dict[str, float]:
        return {}

    def covers(self, text: str) -> bool:
        cmap = self.cmap
        return all(ord(ch) in cmap for ch in text if not ch.isspace())

    def coverage(self, chars: str = GB2312) -> float:
        cmap = self.cmap
        return sum(ord(ch) in cmap for ch in chars) / len(chars)

    def advance(self, ch: str) -> float:
        """The advance width of `ch` in em (1.0 for a character the face lacks)."""
        known = self._advances.get(ch)
        if known is None:
            glyph = self.cmap.get(ord(ch))
            known = self._font["hmtx"][glyph][0] / self.units if glyph else 1.0
            self._advances[ch] = known
        return known

    def ink(self, ch: str) -> tuple[float, float, float, float] | None:
        """The ink box of `ch` in em (x min, y min, x max, y max), None when blank or missing."""
        glyph = self.cmap.get(ord(ch))
        if glyph is None:
            return None
        glyphs = self._font.getGlyphSet()
        pen = BoundsPen(glyphs)
        glyphs[glyph].draw(pen)
        return tuple(v / self.units for v in pen.bounds) if pen.bounds else None

    @cached_property
    def metrics(self) -> tuple[float, float]:
        """(ascent, descent) in em as Pango places a line: the hhea figures (the OS/2 typo ones when
        the font asks for them)."""
        os2, hhea = self._font["OS/2"], self._font["hhea"]
        if os2.fsSelection & (1 << 7):  # USE_TYPO_METRICS
            return os2.sTypoAscender / self.units, -os2.sTypoDescender / self.units
        return hhea.ascent / self.units, -hhea.descent / self.units

    @cached_property
    def em_box(self) -> tuple[float, float]:
        """The ideographic em box, (top above the baseline, bottom below it) in em."""
        os2 = self._font["OS/2"]
        top, bottom = os2.sTypoAscender / self.units, -os2.sTypoDescender / self.units
        return (top, bottom) if abs(top + bottom - 1) < 0.01 else (0.88, 0.12)

    def __repr__(self) -> str:
        return f"Face({self.family!r}, {self.path.name})"


def _names(font: TTFont) -> set[str]:
    """Every family name a font gives itself (name IDs 1 and 16, all languages)."""
    return {record.toUnicode().strip() for record in font["name"].names if record.nameID in (1, 16)}


def _is_regular(font: TTFont) -> bool:
    styles = {record.toUnicode().lower() for record in font["name"].names if record.nameID in (2, 17)}
    return not styles or bool(styles & {"regular", "normal", "book", "常规", "標準", "标准"})


@lru_cache(maxsize=4)
def folder_faces(folder: str, stamp: float) -> tuple[Face, ...]:
    """The faces in the office's font folder (`stamp`: the folder's mtime, so that new files count)."""
    found = []
    root = Path(folder)
    for path in sorted(root.iterdir()) if root.is_dir() else ():
        if path.suffix.lower() not in FONT_FILES or not path.is_file():
            continue
        try:
            with path.open("rb") as file:
                collection = path.suffix.lower() in (".ttc", ".otc")
                fonts = TTCollection(file).fonts if collection else [TTFont(file)]
                read = [(_names(font), _is_regular(font)) for font in fonts]
        except Exception:  # noqa: BLE001 - not a font, or a damaged one: the settings page lists what was found
            continue
        for index, (names, regular) in enumerate(read):
            if regular and names:
                found.append(Face(sorted(names)[0], path, index, from_folder=True, names=frozenset(names)))
    return tuple(found)


@lru_cache(maxsize=1)
def system_faces() -> tuple[Face, ...]:
    """The regular faces fontconfig knows, with every family name each has."""
    try:
        out = subprocess.run(["fc-list", "--format", "%{family}\t%{style}\t%{file}\t%{index}\n"],
                             capture_output=True, text=True, timeout=20, check=False).stdout
    except OSError:
        return ()
    found = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[2]:
            continue
        family, style, path, index = parts
        styles = {s.strip().lower() for s in style.split(",")}
        if style and not styles & {"regular", "normal", "book"}:
            continue
        names = frozenset(name.strip() for name in family.split(","))
        found.append(Face(family.split(",")[0].strip(), Path(path), int(index or 0), names=names))
    return tuple(found)


@dataclass
class Faces:
    """The faces each level may use, best first, and which of them are the standard's own."""
    levels: dict[str, list[Face]] = field(default_factory=dict)
    licensed: set[Face] = field(default_factory=set)
    folder: tuple[Face, ...] = ()

    def first(self, level: str) -> Face:
        return self.levels[level][0]

    def pick(self, level: str, text: str) -> Face:
        """The first face of `level` that has every character of `text` (the level's last face, the
        free one with the widest coverage, when none has)."""
        faces = self.levels[level]
        return next((face for face in faces if face.covers(text)), faces[-1])

    @property
    def used(self) -> list[Face]:
        """Every face some level may use, once each."""
        seen = []
        for faces in self.levels.values():
            seen += [face for face in faces if face not in seen]
        return seen

    def css_name(self, face: Face) -> str:
        """The family name a stylesheet gives `face`: a folder's file is declared by an @font-face rule
        under its ASCII name when it has one (the name the PDF then embeds: FangSong_GB2312)."""
        if face.from_folder:
            return next((name for name in sorted(face.names) if name.isascii()), face.family)
        return face.family

    def bold(self, face: Face, level: str) -> bool:
        return level in BOLD_STAND_IN and face not in self.licensed


def _by_name(faces: tuple[Face, ...]) -> dict[str, Face]:
    named: dict[str, Face] = {}
    for face in faces:
        for name in face.names:
            named.setdefault(name, face)
    return named


def discover(folder: str | None) -> Faces:
    """The faces for the office's folder (None or missing: installed faces only)."""
    stamp = Path(folder).stat().st_mtime if folder and Path(folder).is_dir() else 0.0
    return _discover(folder or "", stamp)


@lru_cache(maxsize=4)
def _discover(folder: str, stamp: float) -> Faces:
    in_folder = folder_faces(folder, stamp) if folder else ()
    named_folder, named_system = _by_name(in_folder), _by_name(system_faces())
    levels: dict[str, list[Face]] = {}
    licensed: set[Face] = set()
    for level in STANDARD:
        chosen: list[Face] = []
        for name in STANDARD[level]:
            for named in (named_folder, named_system):
                if name in named and named[name] not in chosen:
                    chosen.append(named[name])
                    licensed.add(named[name])
        if level == "body":
            chosen += [face for face in free_fangsong(named_system) if face not in chosen]
        chosen += [named_system[name] for name in FREE[level] if name in named_system and named_system[name] not in chosen]
        if not chosen:
            raise RuntimeError(f"没有可用于“{LEVELS[level]}”的中文字体：请运行 make system-packages（fonts-noto-cjk）")
        levels[level] = chosen
    return Faces(levels, licensed, in_folder)


def free_fangsong(named: dict[str, Face]) -> list[Face]:
    """Installed 仿宋 faces that are not the standard's but cover every GB 2312 hanzi."""
    found = []
    for name, face in sorted(named.items()):
        if any(part in name for part in FANGSONG_NAMES) and name not in STANDARD["body"] and face not in found:
            if face.coverage() == 1.0:
                found.append(face)
    return found
