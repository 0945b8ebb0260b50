"""Font chains: the faces GB/T 9704 names (commercial, often installed on office machines) first,
then free faces with full simplified-Chinese coverage. Every chain names the SC variants of Noto
explicitly: left to fontconfig, shared glyphs come from the Japanese ones.

Each chain is one CSS font-family value; fontconfig takes the first face installed."""
import subprocess
from functools import lru_cache

CHAINS = {
    # 小标宋: 发文机关标志 and titles
    "xbs": ["方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "华文中宋", "STZhongsong", "Noto Serif CJK SC"],
    # 仿宋: body text
    "fangsong": ["仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC"],
    # 黑体: first-level headings, "附件"
    "hei": ["黑体", "SimHei", "方正黑体_GBK", "Noto Sans CJK SC"],
    # 楷体: second-level headings
    "kai": ["楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "AR PL KaitiM GB", "AR PL UKai CN",
            "Noto Serif CJK SC"],
    # 宋体: page numbers (half-width Arabic numerals)
    "song": ["宋体", "SimSun", "Noto Serif CJK SC"],
}
FALLBACKS = {"Noto Serif CJK SC", "Noto Sans CJK SC"}


def family(name: str) -> str:
    """A chain as a CSS font-family value."""
    return ", ".join(f'"{face}"' for face in CHAINS[name]) + (", sans-serif" if name == "hei" else ", serif")


def families() -> dict[str, str]:
    return {name: family(name) for name in CHAINS}


@lru_cache(maxsize=1)
def installed() -> frozenset[str]:
    """The font families fontconfig knows (for the settings page and the tests)."""
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=10, check=False).stdout
    except OSError:
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def chosen(name: str) -> str | None:
    """The face fontconfig will use for a chain: its first installed one."""
    faces = installed()
    return next((face for face in CHAINS[name] if face in faces), None)
