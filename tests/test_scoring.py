from decimal import Decimal as D

import pytest

from portal.models import AnswerType
from portal.supervision.scoring import Answer, ItemRule, band_for, is_not_met, not_applicable, score

P = AnswerType.POINTS


def rules(*maxes, critical=()):
    return [ItemRule(i, D(m), P, i in critical) for i, m in enumerate(maxes, start=1)]


def test_points_add_up_to_percent_and_band():
    result = score(rules(60, 40), {1: Answer(D(54)), 2: Answer(D(36))})
    assert (result.points, result.max_points, result.percent, result.band) == (D(90), D(100), D("90.0"), "优秀")


def test_na_leaves_the_maximum():
    result = score(rules(50, 50), {1: Answer(D(40)), 2: Answer(na=True)})
    assert result.max_points == D(50) and result.percent == D("80.0") and result.band == "良好"


def test_all_na_has_no_percent_and_no_band():
    result = score(rules(10, 10), {1: Answer(na=True), 2: Answer(na=True)})
    assert result.percent is None and result.band is None and result.applicable == 0


def test_unanswered_counts_zero_of_its_maximum():
    result = score(rules(50, 50), {1: Answer(D(50))})
    assert result.percent == D("50.0") and result.answered == 1 and result.applicable == 2
    assert result.band == "不合格"


def test_critical_failure_fails_even_with_full_points_elsewhere():
    result = score(rules(95, 5, critical={2}), {1: Answer(D(95)), 2: Answer(D(0))})
    assert result.percent == D("95.0") and result.band == "不合格" and result.critical_failures == [2]


def test_critical_item_met_does_not_fail():
    result = score(rules(90, 10, critical={2}), {1: Answer(D(85)), 2: Answer(D(6))})
    assert result.band == "优秀" and result.critical_failures == []


@pytest.mark.parametrize("points,expected_percent,expected_band", [
    (D("89.95"), D("90.0"), "优秀"),   # rounded half-up, and the band follows the figure shown
    (D("89.94"), D("89.9"), "良好"),
    (D("59.95"), D("60.0"), "合格"),
    (D("0"), D("0.0"), "不合格"),
])
def test_rounding_and_band_boundaries(points, expected_percent, expected_band):
    result = score(rules(100), {1: Answer(points)})
    assert result.percent == expected_percent and result.band == expected_band


def test_thirds_round_half_up():
    result = score(rules(3), {1: Answer(D(2))})
    assert result.percent == D("66.7")


@pytest.mark.parametrize("answer_type,value,points,not_met", [
    (AnswerType.RATING, "达标", D(10), False),
    (AnswerType.RATING, "基本达标", D(6), False),
    (AnswerType.RATING, "未达标", D(0), True),
    (AnswerType.GRADE, "良", D(8), False),
    (AnswerType.GRADE, "不合格", D(0), True),
    (AnswerType.YES_NO, "是", D(10), False),
    (AnswerType.YES_NO, "否", D(0), True),
    (AnswerType.POINTS, D("5.9"), D("5.9"), True),
    (AnswerType.POINTS, D(6), D(6), False),
])
def test_answer_types(answer_type, value, points, not_met):
    rule = ItemRule(1, D(10), answer_type)
    result = score([rule], {1: Answer(value)})
    assert result.points == points
    assert is_not_met(rule, Answer(value)) is not_met


def test_configurable_bands():
    bands = [[85, "A"], [70, "B"]]
    assert band_for(D("85.0"), bands) == "A"
    assert band_for(D("84.9"), bands) == "B"
    assert band_for(D("10"), bands) == "不合格"


def test_combining_section_scores_equals_scoring_every_item_at_once():
    from portal.supervision.scoring import combine

    rules = [ItemRule(1, D(10), critical=True), ItemRule(2, D(5)), ItemRule(3, D(7)),
             ItemRule(4, D(3), AnswerType.YES_NO)]
    answers = {1: Answer(D(5)), 2: Answer(na=True), 3: Answer(D("6.5")), 4: Answer("是")}
    whole = score(rules, answers)
    parts = combine([score(rules[:2], answers), score(rules[2:], answers)])
    assert parts == whole and whole.band == "不合格" and whole.percent == D("72.5")


# Items a checklist marks N/A for a kind of school (课后服务 at a 幼儿园).
AFTER_SCHOOL = ItemRule(3, D(20), P, na_kinds=("KINDERGARTEN", "SENIOR"))


def test_an_item_na_for_the_schools_kind_leaves_the_total_whatever_was_answered():
    answers = {1: Answer(D(40)), 2: Answer(D(30)), 3: Answer(D(0))}  # 0 of 20 given before the kind was named
    at_kindergarten = score(rules(50, 30) + [AFTER_SCHOOL], answers, school_kind="KINDERGARTEN")
    assert (at_kindergarten.points, at_kindergarten.max_points, at_kindergarten.percent) == (D(70), D(80), D("87.5"))
    assert at_kindergarten.band == "良好" and at_kindergarten.applicable == 2 and at_kindergarten.not_met == []
    at_primary = score(rules(50, 30) + [AFTER_SCHOOL], answers, school_kind="PRIMARY")
    assert (at_primary.points, at_primary.max_points, at_primary.percent) == (D(70), D(100), D("70.0"))
    assert at_primary.band == "合格" and at_primary.not_met == [3]


def test_a_critical_item_na_for_the_kind_cannot_fail_the_inspection():
    phones = ItemRule(2, D(10), AnswerType.YES_NO, critical=True, na_kinds=("KINDERGARTEN",))
    answers = {1: Answer(D(9)), 2: Answer("否")}
    assert score([*rules(10), phones], answers, school_kind="KINDERGARTEN").band == "优秀"
    assert score([*rules(10), phones], answers, school_kind="JUNIOR").critical_failures == [2]


def test_an_unanswered_item_na_for_the_kind_is_not_owed():
    result = score(rules(10) + [AFTER_SCHOOL], {1: Answer(D(10))}, school_kind="SENIOR")
    assert (result.answered, result.applicable, result.percent) == (1, 1, D("100.0"))


def test_not_applicable_needs_a_named_kind():
    assert not_applicable(AFTER_SCHOOL, "KINDERGARTEN") and not not_applicable(AFTER_SCHOOL, "PRIMARY")
    assert not not_applicable(AFTER_SCHOOL, None)  # a score for no school in particular keeps every item
