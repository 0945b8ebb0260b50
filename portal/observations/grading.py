"""How an observation is graded: the sum of its dimension scores, read against its rubric version's
bands (优 ≥ 90, 良 ≥ 75, 中 ≥ 60, below: 差 by default; the office edits them in the rubric). The
percentage and band come from supervision/scoring.py, the one scoring rule of the portal.

A score is a multiple of 0.5 from 0 to the dimension's maximum. The chips offered on the tablet
step through that range (steps()).
"""
from dataclasses import dataclass
from decimal import Decimal

from ..models import Observation, TemplateVersion
from ..supervision import scoring, sheet

HALF = Decimal("0.5")
CHIP_STEPS = (Decimal("0.5"), Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
MAX_CHIPS = 21
HALVES_UP_TO = Decimal(5)  # halves are offered as chips on small dimensions only (any is accepted)


@dataclass(frozen=True)
class Result:
    total: Decimal        # points given
    max_points: Decimal   # the rubric's total
    scored: int           # dimensions scored
    dimensions: int
    percent: Decimal | None
    grade: str | None     # None until every dimension is scored

    @property
    def complete(self) -> bool:
        return self.scored == self.dimensions


def steps(max_points: Decimal) -> list[Decimal]:
    """The chips for a dimension: every whole score up to 20 points, and the halves up to 5 (5 → 0,
    0.5, …, 5; 20 → 0, 1, …, 20); a larger maximum in the smallest step that keeps it to MAX_CHIPS
    chips (30 → 0, 2, …, 30)."""
    usable = [s for s in CHIP_STEPS if s >= 1 or max_points <= HALVES_UP_TO]
    step = next((s for s in usable if max_points % s == 0 and max_points / s < MAX_CHIPS), max_points)
    count = int(max_points / step) if step else 0
    return [step * n for n in range(count + 1)] if step else [Decimal(0)]


def check(points: Decimal, max_points: Decimal) -> str | None:
    """Why `points` cannot be given for a dimension of `max_points` (None: it can)."""
    if not points.is_finite() or points < 0 or points > max_points:
        return f"得分应在 0 到 {max_points.normalize():f} 之间"
    if points % HALF:
        return "得分须为 0.5 的整数倍"
    return None


def dimensions(version: TemplateVersion) -> list[sheet.ItemInfo]:
    """The rubric's dimensions in page order (its published layout, cached per process)."""
    return [item for section in sheet.layout(version) for item in section.items]


def grade(version: TemplateVersion, points: dict[int, Decimal]) -> Result:
    """The result of scores given ({item id: points}) with this rubric version; ungraded until complete."""
    items = dimensions(version)
    given = {item.id: scoring.Answer(points[item.id]) for item in items if points.get(item.id) is not None}
    score = scoring.score(items, given, version.bands, version.below_band)
    complete = score.answered == score.applicable and score.applicable > 0
    return Result(total=score.points, max_points=score.max_points, scored=score.answered, dimensions=len(items),
                  percent=score.percent, grade=score.band if complete else None)


def result_of(observation: Observation) -> Result:
    """The record's result from its scores, with its own rubric version."""
    return grade(observation.version, {s.item_id: s.points for s in observation.scores})


def regrade(observation: Observation) -> Result:
    """Recompute and store the record's total and grade from its scores (with its own version)."""
    result = result_of(observation)
    observation.total, observation.grade = result.total, result.grade
    return result
