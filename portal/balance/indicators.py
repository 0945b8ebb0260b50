"""Balanced quality (优质均衡): the seven resource indicators of 教督〔2017〕6号 as plain functions.

A *part* is what the 办法 calls a school: a 小学 or 初中, or one of the two parts of a 九年一贯制
school (its 小学部 and 初中部 count separately). For each part, seven values from its raw figures;
a part passes when at least 6 of the 7 reach their threshold and, when the rule is on (default),
the remaining one reaches 85 % of its threshold. For each level (小学, 初中) and indicator, the
county value and the student-weighted 差异系数 (DOMAIN.md §5), with P_i students and value X_i at
part i, P = Σ P_i and k = 100 for "per hundred students" indicators, else 1:

    X̄ = k · Σ amount_i / P        (the county's total over all its students, not the mean of X_i)
    S  = √( Σ (P_i / P) · (X_i − X̄)² )
    CV = S / X̄                      must be ≤ 0.50 (小学) / 0.45 (初中), and ≤ the county's own goal

Rounding is explicit, and what is shown is what is judged: a part's values are rounded half up
(四舍五入) to 2 decimals before they are compared with the thresholds; a coefficient is computed
from the unrounded values and rounded half up to 3 decimals before it is compared with its limit.
Arithmetic is Decimal throughout. Left out: special-education and vocational schools, and 教学点
with fewer than 50 students (exclusion()).
"""
import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

from ..models import Level, SchoolKind

PRIMARY, JUNIOR = Level.PRIMARY, Level.JUNIOR
VALUE_PLACES = Decimal("0.01")
CV_PLACES = Decimal("0.001")
MIN_STUDENTS = 50  # a 教学点 with fewer students is left out


@dataclass(frozen=True)
class Indicator:
    number: int
    key: str            # the raw figure it is computed from (ResourceFigures attribute)
    name: str           # as the 办法 words it
    short: str          # a column header
    figure: str         # the raw figure's name
    figure_unit: str
    unit: str           # the value's unit
    scale: int          # 100: per hundred students; 1: per student
    thresholds: Mapping[Level, Decimal]
    whole: bool         # the raw figure counts people or rooms


def _t(primary: str, junior: str) -> dict[Level, Decimal]:
    return {PRIMARY: Decimal(primary), JUNIOR: Decimal(junior)}


INDICATORS = (
    Indicator(1, "qualified_teachers", "每百名学生拥有高于规定学历教师数", "高学历教师", "高于规定学历教师数", "人",
              "人/百生", 100, _t("4.2", "5.3"), True),
    Indicator(2, "backbone_teachers", "每百名学生拥有县级以上骨干教师数", "骨干教师", "县级以上骨干教师数", "人",
              "人/百生", 100, _t("1.0", "1.0"), True),
    Indicator(3, "pe_arts_teachers", "每百名学生拥有体育、艺术（美术、音乐）专任教师数", "体艺教师",
              "体育、艺术专任教师数", "人", "人/百生", 100, _t("0.9", "0.9"), True),
    Indicator(4, "teaching_area", "生均教学及辅助用房面积", "教辅用房", "教学及辅助用房面积", "㎡", "㎡/生", 1,
              _t("4.5", "5.8"), False),
    Indicator(5, "sports_area", "生均体育运动场馆面积", "体育场馆", "体育运动场馆面积", "㎡", "㎡/生", 1,
              _t("7.5", "10.2"), False),
    Indicator(6, "equipment_value", "生均教学仪器设备值", "仪器设备", "教学仪器设备值", "元", "元/生", 1,
              _t("2000", "2500"), False),
    Indicator(7, "media_classrooms", "每百名学生拥有网络多媒体教室数", "多媒体教室", "网络多媒体教室数", "间",
              "间/百生", 100, _t("2.3", "2.4"), True),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
CV_LIMITS = {PRIMARY: Decimal("0.50"), JUNIOR: Decimal("0.45")}
LEVELS = (PRIMARY, JUNIOR)

# The parts each kind of school has (None: not a compulsory-education school, not shown at all).
PARTS: dict[SchoolKind, tuple[Level, ...]] = {
    SchoolKind.PRIMARY: (PRIMARY,), SchoolKind.JUNIOR: (JUNIOR,), SchoolKind.NINE_YEAR: (PRIMARY, JUNIOR),
    SchoolKind.COMPLETE_SECONDARY: (JUNIOR,), SchoolKind.TEACHING_POINT: (PRIMARY,),
    SchoolKind.SPECIAL: (), SchoolKind.VOCATIONAL: (),
}


def levels_of(kind: SchoolKind) -> tuple[Level, ...]:
    return PARTS.get(kind, ())


def in_scope(kind: SchoolKind) -> bool:
    """Shown on the pages at all: compulsory-education schools, and the excluded kinds (as excluded)."""
    return kind in PARTS


def exclusion(kind: SchoolKind, students: int) -> str | None:
    """Why a school is left out of the assessment, or None."""
    if kind is SchoolKind.SPECIAL:
        return "特殊教育学校不参与计算"
    if kind is SchoolKind.VOCATIONAL:
        return "职业学校不参与计算"
    if kind is SchoolKind.TEACHING_POINT and students < MIN_STUDENTS:
        return f"学生不足 {MIN_STUDENTS} 人的教学点不参与计算"
    return None


@dataclass(frozen=True)
class Rules:
    remaining_rule: bool = True                       # the seventh indicator at least `remaining_share` of its threshold
    remaining_share: Decimal = Decimal("0.85")
    goals: Mapping[Level, Decimal | None] = field(default_factory=dict)  # the county's own, stricter CV goals


@dataclass(frozen=True)
class Part:
    """One part's raw figures for a year: `figures` maps each indicator key to its amount."""
    school_id: int
    name: str
    level: Level
    students: int
    figures: Mapping[str, Decimal]


# One part ---------------------------------------------------------------------------------------

def percent(share: Decimal) -> str:
    """A share as a whole percentage (0.85 → 85%)."""
    return f"{(share * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def rounded(value: Decimal, places: Decimal = VALUE_PLACES) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def exact_value(indicator: Indicator, students: int, amount) -> Decimal:
    with localcontext() as context:
        context.prec = 34
        return Decimal(amount) * indicator.scale / Decimal(students)


@dataclass(frozen=True)
class Reading:
    indicator: Indicator
    amount: Decimal      # the raw figure
    exact: Decimal
    value: Decimal       # rounded to 2 decimals: shown and judged
    threshold: Decimal
    floor: Decimal       # the share of the threshold the remaining indicator must reach
    met: bool

    @property
    def ratio(self) -> Decimal:
        return self.value / self.threshold


@dataclass(frozen=True)
class Gap:
    """What an indicator below its threshold needs, in its raw figure's unit."""
    reading: Reading
    to_threshold: Decimal
    to_floor: Decimal   # 0 when it already reaches the floor


@dataclass(frozen=True)
class SchoolResult:
    part: Part
    readings: tuple[Reading, ...]
    met: int
    passed: bool
    gaps: tuple[Gap, ...]              # every indicator below its threshold
    plan: tuple[tuple[Gap, str], ...]  # a way to pass: (gap, "threshold" | "floor"); empty when passed
    rules: Rules

    @property
    def verdict(self) -> str:
        if self.passed:
            return "达标"
        if self.met >= len(INDICATORS) - 1:
            return f"余项低于标准的 {percent(self.rules.remaining_share)}"
        return f"仅 {self.met} 项达标"


def needed(indicator: Indicator, students: int, amount: Decimal, target: Decimal) -> Decimal:
    """The least addition to the raw figure after which the (rounded) value reaches `target`:
    whole people or rooms, whole yuan, square metres to one decimal."""
    unit = Decimal(1) if indicator.whole or indicator.key == "equipment_value" else Decimal("0.1")
    target = target.quantize(VALUE_PLACES, rounding=ROUND_CEILING)  # the least 2-decimal value that reaches it
    lowest = (target - VALUE_PLACES / 2) * students / indicator.scale  # rounding half up reaches target from here
    candidate = max((lowest / unit).to_integral_value(rounding=ROUND_CEILING) * unit, Decimal(0))
    while rounded(exact_value(indicator, students, candidate)) < target:
        candidate += unit
    return max(candidate - amount, Decimal(0))


def judge(part: Part, rules: Rules = Rules()) -> SchoolResult:
    """A part's seven values against the thresholds, the 6-of-7 rule and the 85 % rule."""
    readings = []
    for indicator in INDICATORS:
        amount = Decimal(part.figures[indicator.key])
        exact = exact_value(indicator, part.students, amount)
        threshold = indicator.thresholds[part.level]
        value = rounded(exact)
        readings.append(Reading(indicator, amount, exact, value, threshold, threshold * rules.remaining_share,
                                value >= threshold))
    met = sum(r.met for r in readings)
    unmet = [r for r in readings if not r.met]
    gaps = tuple(Gap(r, needed(r.indicator, part.students, r.amount, r.threshold),
                     needed(r.indicator, part.students, r.amount, r.floor) if r.value < r.floor else Decimal(0))
                 for r in unmet)
    passed = not unmet or (len(unmet) == 1 and (not rules.remaining_rule or unmet[0].value >= unmet[0].floor))
    plan: tuple = ()
    if not passed:
        # Leave the one furthest behind as the remaining indicator (at its floor, when the rule
        # asks for one); every other indicator below its threshold must reach it.
        furthest = min(gaps, key=lambda g: g.reading.ratio)
        plan = tuple((g, "threshold") for g in gaps if g is not furthest)
        if rules.remaining_rule and furthest.to_floor:
            plan += ((furthest, "floor"),)
    return SchoolResult(part, tuple(readings), met, passed, gaps, plan, rules)


# The county -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spread:
    county_value: Decimal   # X̄
    deviation: Decimal      # S
    cv: Decimal | None      # S / X̄ (None when X̄ is 0)
    contributions: tuple[Decimal, ...]  # (P_i / P)(X_i − X̄)², in the order given


def spread(pairs: Iterable[tuple[int, Decimal]], scale: int = 1) -> Spread:
    """The official student-weighted coefficient over (students P_i, raw amount) pairs."""
    pairs = [(Decimal(p), Decimal(amount)) for p, amount in pairs]
    with localcontext() as context:
        context.prec = 34
        total = sum(p for p, _ in pairs)
        if not pairs or total == 0:
            return Spread(Decimal(0), Decimal(0), None, ())
        mean = scale * sum(amount for _, amount in pairs) / total
        contributions = tuple((p / total) * (scale * amount / p - mean) ** 2 for p, amount in pairs)
        deviation = sum(contributions).sqrt()
        return Spread(mean, deviation, deviation / mean if mean else None, contributions)


@dataclass(frozen=True)
class Push:
    """A part's share of a coefficient's variance: who pushes it up most."""
    part: Part
    value: Decimal
    share: Decimal
    above: bool


@dataclass(frozen=True)
class Coefficient:
    level: Level
    indicator: Indicator
    parts: int
    students: int
    county_value: Decimal
    deviation: Decimal
    cv: Decimal | None        # rounded to 3 decimals: shown and judged
    limit: Decimal
    goal: Decimal | None
    pushers: tuple[Push, ...]

    @property
    def passed(self) -> bool:
        return self.cv is not None and self.cv <= self.limit

    @property
    def meets_goal(self) -> bool | None:
        return None if self.goal is None else self.cv is not None and self.cv <= self.goal


def coefficient(level: Level, indicator: Indicator, parts: list[Part], rules: Rules = Rules(), top: int = 3) -> Coefficient:
    found = spread([(p.students, p.figures[indicator.key]) for p in parts], indicator.scale)
    total = sum(found.contributions)
    pushers = []
    if total:
        for i in heapq.nlargest(top, range(len(parts)), key=found.contributions.__getitem__):
            exact = exact_value(indicator, parts[i].students, parts[i].figures[indicator.key])
            pushers.append(Push(parts[i], rounded(exact), found.contributions[i] / total, exact > found.county_value))
    return Coefficient(level, indicator, len(parts), sum(p.students for p in parts), found.county_value,
                       found.deviation, None if found.cv is None else rounded(found.cv, CV_PLACES),
                       CV_LIMITS[level], rules.goals.get(level), tuple(pushers))


@dataclass(frozen=True)
class Assessment:
    rules: Rules
    schools: tuple[SchoolResult, ...]
    coefficients: Mapping[tuple[Level, str], Coefficient]

    def level(self, level: Level) -> list[Coefficient]:
        return [self.coefficients[level, i.key] for i in INDICATORS if (level, i.key) in self.coefficients]

    def schools_of(self, level: Level) -> list[SchoolResult]:
        return [s for s in self.schools if s.part.level is level]

    def failing(self, level: Level | None = None) -> list[SchoolResult]:
        return [s for s in self.schools if not s.passed and (level is None or s.part.level is level)]

    def level_passed(self, level: Level) -> bool | None:
        """Every part of the level passes and every coefficient is within its limit (None: no parts)."""
        if not self.schools_of(level):
            return None
        return not self.failing(level) and all(c.passed for c in self.level(level))

    def level_meets_goal(self, level: Level) -> bool | None:
        marks = [c.meets_goal for c in self.level(level)]
        return None if not marks or marks[0] is None else all(marks)

    @property
    def passed(self) -> bool | None:
        verdicts = [v for v in (self.level_passed(level) for level in LEVELS) if v is not None]
        return all(verdicts) if verdicts else None


def assess(parts: Iterable[Part], rules: Rules = Rules()) -> Assessment:
    """Every part judged, and every level's seven coefficients. Excluded parts must not be given."""
    parts = [p for p in parts if p.students > 0]
    coefficients = {}
    for level in LEVELS:
        of_level = [p for p in parts if p.level is level]
        if of_level:
            for indicator in INDICATORS:
                coefficients[level, indicator.key] = coefficient(level, indicator, of_level, rules)
    return Assessment(rules, tuple(judge(p, rules) for p in parts), coefficients)
