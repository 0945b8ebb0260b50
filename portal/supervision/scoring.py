"""How an inspection is scored. Defined once; pages, lists and exports all call score().

Rules (DOMAIN.md §1):
- An item's weight is its maximum points. Points answers count as given (0..max). A rating counts
  a share of the maximum: 达标 1, 基本达标 0.6, 未达标 0; a grade: 优 1, 良 0.8, 合格 0.6, 不合格 0;
  yes/no: all or nothing.
- N/A items leave both the points and the maximum. An item the checklist marks N/A for a kind of
  school (课后服务 at a 幼儿园) is N/A at every school of that kind, whatever was answered. An
  unanswered applicable item counts 0 of its maximum (the percentage is of the applicable maximum,
  answered or not).
- An item is *not met* when: points below 60 % of its maximum, 未达标, 不合格, or 否. A critical
  (一票否决) item not met fails the whole inspection whatever the total.
- The percentage is rounded half-up to one decimal, and the band is read from that rounded figure,
  so the number shown and the band shown never disagree.
- No applicable item (all N/A): no percentage, no band.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..models.checklist import DEFAULT_BANDS, DEFAULT_BELOW, AnswerType

FAIL_BAND = DEFAULT_BELOW
SHARES = {
    AnswerType.RATING: {"达标": Decimal(1), "基本达标": Decimal("0.6"), "未达标": Decimal(0)},
    AnswerType.GRADE: {"优": Decimal(1), "良": Decimal("0.8"), "合格": Decimal("0.6"), "不合格": Decimal(0)},
    AnswerType.YES_NO: {"是": Decimal(1), "否": Decimal(0)},
}
MET_SHARE = Decimal("0.6")


@dataclass(frozen=True)
class ItemRule:
    id: int
    max_points: Decimal
    answer_type: AnswerType = AnswerType.POINTS
    critical: bool = False
    na_kinds: tuple[str, ...] = ()  # SchoolKind names the item is N/A for


def not_applicable(rule: ItemRule, school_kind: str | None) -> bool:
    """The item does not apply to a school of this kind (a SchoolKind name)."""
    return school_kind is not None and school_kind in rule.na_kinds


@dataclass(frozen=True)
class Answer:
    """What the inspector gave: `value` is points (a number) or a label (达标, 优, 是, ...)."""
    value: Decimal | str | None = None
    na: bool = False


@dataclass
class Score:
    points: Decimal = Decimal(0)
    max_points: Decimal = Decimal(0)
    percent: Decimal | None = None
    band: str | None = None
    critical_failures: list[int] = field(default_factory=list)
    not_met: list[int] = field(default_factory=list)
    answered: int = 0
    applicable: int = 0


def choices(answer_type: AnswerType) -> list[str]:
    """The labels an answer of this type may take (empty for points)."""
    return list(SHARES.get(answer_type, {}))


def share(rule: ItemRule, answer: Answer) -> Decimal | None:
    """The share of the item's maximum earned, or None when unanswered or N/A."""
    if answer.na or answer.value is None:
        return None
    if rule.answer_type is AnswerType.POINTS:
        return Decimal(answer.value) / rule.max_points if rule.max_points else Decimal(0)
    return SHARES[rule.answer_type][answer.value]


def judge(rule: ItemRule, answer: Answer) -> tuple[Decimal | None, bool]:
    """The item's points (None: unanswered or N/A) and whether it is not met."""
    earned = share(rule, answer)
    if earned is None:
        return None, False
    return earned * rule.max_points, earned < MET_SHARE


def item_points(rule: ItemRule, answer: Answer) -> Decimal | None:
    return judge(rule, answer)[0]


def is_not_met(rule: ItemRule, answer: Answer) -> bool:
    return judge(rule, answer)[1]


def band_for(percent: Decimal | None, bands=DEFAULT_BANDS, critical_failed: bool = False,
             below: str = FAIL_BAND) -> str | None:
    """The band a percentage falls in; `below`: the name under the last band (a version's below_band)."""
    if percent is None:
        return None
    if critical_failed:
        return below
    for threshold, name in sorted(bands, key=lambda b: -b[0]):
        if percent >= Decimal(str(threshold)):
            return name
    return below


def score(rules: list[ItemRule], answers: dict[int, Answer], bands=DEFAULT_BANDS, below: str = FAIL_BAND,
          school_kind: str | None = None) -> Score:
    """The score of these items at a school of `school_kind` (a SchoolKind name; None: any)."""
    result = Score()
    for rule in rules:
        answer = answers.get(rule.id)
        if (answer is not None and answer.na) or not_applicable(rule, school_kind):
            continue
        result.applicable += 1
        result.max_points += rule.max_points
        if answer is None:
            continue
        points, not_met = judge(rule, answer)
        if points is None:
            continue
        result.answered += 1
        result.points += points
        if not_met:
            result.not_met.append(rule.id)
            if rule.critical:
                result.critical_failures.append(rule.id)
    return _graded(result, bands, below)


def combine(parts: list[Score], bands=DEFAULT_BANDS, below: str = FAIL_BAND) -> Score:
    """The score of the whole from the scores of its parts (sections): the same as scoring every
    item at once, without doing it twice."""
    result = Score()
    for part in parts:
        result.points += part.points
        result.max_points += part.max_points
        result.critical_failures += part.critical_failures
        result.not_met += part.not_met
        result.answered += part.answered
        result.applicable += part.applicable
    return _graded(result, bands, below)


def _graded(result: Score, bands, below: str = FAIL_BAND) -> Score:
    if result.max_points:
        result.percent = (result.points / result.max_points * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    result.band = band_for(result.percent, bands, bool(result.critical_failures), below)
    return result
