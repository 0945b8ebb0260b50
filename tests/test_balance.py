"""Balanced quality (优质均衡): the engine on hand-computed cases (the student-weighted 差异系数,
thresholds at the boundary, the 6-of-7 and 85 % rules, exclusions, what a failing school needs),
then the pages: figures kept by the school or the office, the county summary, the what-if preview,
the Excel import and export, and who may see and change what."""
import math
import statistics
from decimal import Decimal as D

import pytest

from portal.dashboard import balance
from portal.dashboard.balance import BY_KEY, JUNIOR, PRIMARY, Part, Rules
from portal.models import SchoolKind

# Figures of a part of 1000 students meeting every threshold of its level with a little to spare.
GOOD = {PRIMARY: dict(qualified_teachers=50, backbone_teachers=12, pe_arts_teachers=10, teaching_area=D(5000),
                      sports_area=D(8000), equipment_value=D(2_200_000), media_classrooms=25),
        JUNIOR: dict(qualified_teachers=60, backbone_teachers=12, pe_arts_teachers=10, teaching_area=D(6000),
                     sports_area=D(11000), equipment_value=D(2_600_000), media_classrooms=25)}


def part(students=1000, level=PRIMARY, school_id=1, **changes) -> Part:
    return Part(school_id, f"学校{school_id}", level, students, {**GOOD[level], **changes})


# The coefficient, by hand

def test_county_value_is_the_total_over_all_students_not_the_mean_of_school_values():
    # A: 100 students, 500 ㎡ (5 ㎡ each); B: 300 students, 900 ㎡ (3 ㎡ each).
    # X̄ = 1400 / 400 = 3.5 (the plain mean of 5 and 3 would be 4).
    # S² = 0.25·(5 − 3.5)² + 0.75·(3 − 3.5)² = 0.5625 + 0.1875 = 0.75; S = 0.866025…; CV = 0.247435…
    found = balance.spread([(100, D(500)), (300, D(900))])
    assert found.county_value == D("3.5")
    assert abs(found.deviation - D("0.8660254037844386")) < D("1e-15")
    assert round(found.cv, 6) == D("0.247436")
    assert found.contributions == (D("0.5625"), D("0.1875"))


def test_per_hundred_students_indicators_scale_by_100():
    # A: 50 teachers for 1000 students (5.0 per hundred); B: 15 for 500 (3.0).
    # X̄ = 100·65 / 1500 = 4.3333…; S² = (2/3)(2/3)² + (1/3)(4/3)² = 8/27 + 16/27 = 8/9;
    # S = 0.942809…; CV = 0.942809 / 4.333333 = 0.217571…
    found = balance.spread([(1000, 50), (500, 15)], scale=100)
    assert round(found.county_value, 4) == D("4.3333")
    assert round(found.deviation, 6) == D("0.942809")
    assert round(found.cv, 6) == D("0.217571")


def test_the_unweighted_formula_gives_the_opposite_verdict():
    # Sports area (小学, limit 0.50): a big school at the county value, two small ones far off.
    # P = 800, 100, 100; area 8000, 200, 1800 ㎡ → X = 10, 2, 18; X̄ = 10000 / 1000 = 10.
    # Weighted: S² = 0.8·0 + 0.1·64 + 0.1·64 = 12.8; S = 3.5777; CV = 0.358 → 达标.
    # Unweighted: mean 10, population SD √(128/3) = 6.532; CV = 0.653 → would fail.
    parts = [part(800, school_id=1, sports_area=D(8000)), part(100, school_id=2, sports_area=D(200)),
             part(100, school_id=3, sports_area=D(1800))]
    found = balance.coefficient(PRIMARY, BY_KEY["sports_area"], parts)
    assert found.county_value == D(10) and found.cv == D("0.358") and found.passed
    values = [10, 2, 18]
    unweighted = statistics.pstdev(values) / statistics.mean(values)
    assert round(unweighted, 3) == 0.653 and unweighted > 0.50  # the verdict the plain formula would give


def test_coefficient_is_judged_at_three_decimals_against_the_level_limit():
    # Two schools of equal size, 1 and 3 ㎡ per student: X̄ = 2, S = 1, CV = 0.500 exactly.
    parts = [part(1000, school_id=1, teaching_area=D(1000)), part(1000, school_id=2, teaching_area=D(3000))]
    primary = balance.coefficient(PRIMARY, BY_KEY["teaching_area"], parts)
    assert primary.cv == D("0.500") and primary.passed                     # ≤ 0.50 (小学)
    parts = [part(1000, JUNIOR, 1, teaching_area=D(1000)), part(1000, JUNIOR, 2, teaching_area=D(3000))]
    junior = balance.coefficient(JUNIOR, BY_KEY["teaching_area"], parts)
    assert junior.cv == D("0.500") and not junior.passed                   # > 0.45 (初中)


@pytest.mark.parametrize("second,shown,passes", [
    (D(3004), D("0.500"), True),    # 1 and 3.004 ㎡: S / X̄ = 1.002 / 2.002 = 0.500499… → 0.500, within 0.50
    (D(3006), D("0.501"), False),   # 1 and 3.006 ㎡: 1.003 / 2.003 = 0.500749… → 0.501 > 0.50
])
def test_coefficient_rounding_at_the_limit(second, shown, passes):
    parts = [part(1000, school_id=1, teaching_area=D(1000)), part(1000, school_id=2, teaching_area=second)]
    found = balance.coefficient(PRIMARY, BY_KEY["teaching_area"], parts)
    assert found.cv == shown and found.passed is passes


def test_a_stricter_county_goal_is_judged_beside_the_limit():
    parts = [part(800, school_id=1, sports_area=D(8000)), part(100, school_id=2, sports_area=D(200)),
             part(100, school_id=3, sports_area=D(1800))]
    found = balance.coefficient(PRIMARY, BY_KEY["sports_area"], parts, Rules(goals={PRIMARY: D("0.30")}))
    assert found.passed and found.meets_goal is False
    assert balance.coefficient(PRIMARY, BY_KEY["sports_area"], parts).meets_goal is None  # no goal set


def test_the_schools_that_push_a_coefficient_up_most_come_first():
    # The first case: A contributes 0.5625 of 0.75 (75 %, above the county value), B 25 % (below).
    parts = [part(100, school_id=1, teaching_area=D(500)), part(300, school_id=2, teaching_area=D(900))]
    pushers = balance.coefficient(PRIMARY, BY_KEY["teaching_area"], parts).pushers
    assert [(p.part.school_id, p.share, p.above) for p in pushers] == [(1, D("0.75"), True), (2, D("0.25"), False)]


# One school against the thresholds

@pytest.mark.parametrize("level,students,teachers,met", [
    (PRIMARY, 1000, 42, True),    # 4.20 = 4.2
    (PRIMARY, 1000, 41, False),   # 4.10
    (PRIMARY, 1001, 42, True),    # 4.1958… shown (and judged) 4.20
    (PRIMARY, 999, 41, False),    # 4.1041… → 4.10
    (JUNIOR, 1000, 53, True),     # 5.30 = 5.3
    (JUNIOR, 1000, 52, False),
])
def test_threshold_at_the_boundary(level, students, teachers, met):
    result = balance.judge(part(students, level, qualified_teachers=teachers))
    reading = result.readings[0]
    assert reading.met is met and result.met == 6 + met


def test_all_seven_met_passes():
    result = balance.judge(part())
    assert result.met == 7 and result.passed and result.verdict == "达标" and not result.plan


@pytest.mark.parametrize("equipment,passes", [
    (D(1_700_000), True),    # 1700.00 元 = 85 % of 2000
    (D(1_699_990), False),   # 1699.99
])
def test_six_of_seven_and_the_remaining_one_at_85_percent(equipment, passes):
    result = balance.judge(part(equipment_value=equipment))
    assert result.met == 6 and result.passed is passes
    if not passes:
        assert result.verdict == "余项低于标准的 85%"
        [(gap, aim)] = result.plan
        assert gap.reading.indicator.key == "equipment_value" and aim == "floor"
        assert gap.to_floor == D(5)  # 1 699 995 元: 1699.995 rounds half up to 1700.00


def test_the_85_percent_rule_can_be_turned_off_or_changed():
    low = part(equipment_value=D(1_000_000))  # 1000 元: 50 %
    assert not balance.judge(low).passed
    assert balance.judge(low, Rules(remaining_rule=False)).passed
    assert not balance.judge(part(equipment_value=D(1_700_000)), Rules(remaining_share=D("0.90"))).passed


def test_five_of_seven_fails_whatever_the_rule():
    result = balance.judge(part(media_classrooms=20, backbone_teachers=9), Rules(remaining_rule=False))
    assert result.met == 5 and not result.passed and result.verdict == "仅 5 项达标"


def test_what_a_failing_school_needs():
    # 1000 students: 20 classrooms (2.0 per hundred, 87 % of 2.3) and 8 backbone teachers (0.8, 80 % of 1.0).
    # The one furthest behind (backbone) may stay at 85 %: 9 teachers (0.9 ≥ 0.85); classrooms must reach 23.
    result = balance.judge(part(media_classrooms=20, backbone_teachers=8))
    assert not result.passed
    gaps = {gap.reading.indicator.key: gap for gap in result.gaps}
    assert gaps["media_classrooms"].to_threshold == 3 and gaps["media_classrooms"].to_floor == 0
    assert gaps["backbone_teachers"].to_threshold == 2 and gaps["backbone_teachers"].to_floor == 1
    assert [(gap.reading.indicator.key, aim, gap.to_threshold if aim == "threshold" else gap.to_floor)
            for gap, aim in result.plan] == [("media_classrooms", "threshold", 3), ("backbone_teachers", "floor", 1)]
    fixed = part(media_classrooms=23, backbone_teachers=9)
    assert balance.judge(fixed).passed


@pytest.mark.parametrize("students", [999, 1001, 1733])
def test_what_is_needed_is_exactly_enough(students):
    # Adding what the gap says passes; one unit less does not (areas in 0.1 ㎡, money in yuan).
    for key, low in (("teaching_area", D(3000)), ("equipment_value", D(1_000_000)), ("media_classrooms", 10)):
        indicator = BY_KEY[key]
        gap = balance.needed(indicator, students, D(low), indicator.thresholds[PRIMARY])
        unit = D(1) if indicator.whole or key == "equipment_value" else D("0.1")
        reach = lambda amount: balance.rounded(balance.exact_value(indicator, students, amount))  # noqa: E731
        assert reach(low + gap) >= indicator.thresholds[PRIMARY] > reach(low + gap - unit)


# Who is in the assessment

@pytest.mark.parametrize("kind,students,reason", [
    (SchoolKind.SPECIAL, 300, "特殊教育学校不参与计算"),
    (SchoolKind.VOCATIONAL, 1500, "职业学校不参与计算"),
    (SchoolKind.TEACHING_POINT, 49, "学生不足 50 人的教学点不参与计算"),
    (SchoolKind.TEACHING_POINT, 50, None),
    (SchoolKind.PRIMARY, 20, None),
    (SchoolKind.NINE_YEAR, 1200, None),
])
def test_exclusions(kind, students, reason):
    assert balance.exclusion(kind, students) == reason


def test_nine_year_schools_count_their_two_parts_separately():
    assert balance.levels_of(SchoolKind.NINE_YEAR) == (PRIMARY, JUNIOR)
    assert balance.levels_of(SchoolKind.PRIMARY) == (PRIMARY,) and balance.levels_of(SchoolKind.JUNIOR) == (JUNIOR,)
    assert not balance.in_scope(SchoolKind.KINDERGARTEN) and not balance.in_scope(SchoolKind.SENIOR)
    # The 小学部 joins the county's primary schools, the 初中部 its junior ones.
    assessment = balance.assess([part(1000, PRIMARY, 1), part(1000, PRIMARY, 2, teaching_area=D(3000)),
                                 part(1000, JUNIOR, 2)])
    assert {c.parts for c in assessment.level(PRIMARY)} == {2} and {c.parts for c in assessment.level(JUNIOR)} == {1}
    assert [s.part.school_id for s in assessment.failing()] == [2]


def test_the_county_passes_only_when_every_school_and_every_coefficient_does():
    parts = [part(1000, PRIMARY, 1), part(900, PRIMARY, 2, teaching_area=D(4600)), part(1000, JUNIOR, 3)]
    assessment = balance.assess(parts)
    assert assessment.passed and assessment.level_passed(PRIMARY) and assessment.level_passed(JUNIOR)
    weak = balance.assess(parts[:2] + [part(1000, JUNIOR, 3, media_classrooms=20, backbone_teachers=8)])
    assert weak.level_passed(PRIMARY) and weak.level_passed(JUNIOR) is False and weak.passed is False
    assert balance.assess([part(1000, PRIMARY, 1)]).level_passed(JUNIOR) is None  # no junior schools at all


def test_a_part_without_students_is_left_out_of_the_coefficients():
    assessment = balance.assess([part(1000, PRIMARY, 1), part(0, PRIMARY, 2)])
    assert [s.part.school_id for s in assessment.schools] == [1]
    assert not math.isnan(float(assessment.coefficients[PRIMARY, "teaching_area"].cv))
