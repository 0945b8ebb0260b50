"""Rankings (名次): the one rule the circular's results table, the overview and the exports use.

The plans rank schools "by kind of school and over time (名次升降)", and a school failed by a
critical item is never above one that passed (DOMAIN.md §6). So a ranking:
- compares one set of results: one round, or one checklist template over one semester, never a mean
  over unlike checklists;
- is split by school category (幼儿园, 小学, 初中, 九年一贯制, 高中, 其他: which kinds each category holds
  is the RANKING_CATEGORIES setting);
- ranks by percentage, highest first; equal percentages share a rank and the next skips (1, 2, 2, 4);
- lists the schools failed by a critical (一票否决) item after the ranked ones, unranked, then the
  schools without a result yet (not approved), unranked;
- gives each ranked school its rank change since the previous comparable ranking (the same template
  and round mode, the school in the same category then): up is positive.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..models.school import SchoolKind

OTHER = "其他"


class Grouping:
    """The setting "类别=类型,类型;…" read once: each school kind's category, and the categories in
    the order written (其他 last, for the kinds no category names)."""

    def __init__(self, setting: str):
        labels = {kind.value: kind for kind in SchoolKind}
        self.of: dict[SchoolKind, str] = {}
        self.order: list[str] = []
        for part in filter(None, (p.strip() for p in setting.split(";"))):
            name, _, kinds = part.partition("=")
            name = name.strip()
            if not name or not kinds.strip():
                raise ValueError(f"排名类别设置有误：“{part}”应写成 类别=学校类型,学校类型")
            self.order.append(name)
            for label in filter(None, (k.strip() for k in kinds.replace("，", ",").split(","))):
                if label not in labels:
                    raise ValueError(f"排名类别设置有误：没有“{label}”这种学校类型")
                if labels[label] in self.of:
                    raise ValueError(f"排名类别设置有误：“{label}”写在了两个类别里")
                self.of[labels[label]] = name
        if OTHER not in self.order:
            self.order.append(OTHER)

    def category(self, kind: SchoolKind) -> str:
        return self.of.get(kind, OTHER)


@dataclass(frozen=True)
class Result:
    """One school's result in the set being ranked. `percent` None: no result yet."""
    school_id: int
    school: str
    code: str
    kind: SchoolKind
    percent: Decimal | None
    band: str | None = None
    critical: bool = False
    inspection_id: int | None = None


@dataclass
class Place:
    result: Result
    category: str
    rank: int | None = None       # None: failed by a critical item, or no result yet
    tied: bool = False            # shares its rank with another school
    previous: int | None = None   # its rank in the previous comparable ranking, same category
    compared: bool = False        # there was a previous comparable ranking to compare with
    listed_before: bool = False   # it was in that ranking (ranked or not)

    @property
    def change(self) -> int | None:
        """Places gained (positive) or lost since the previous comparable ranking; None: not comparable."""
        if self.rank is None or self.previous is None:
            return None
        return self.previous - self.rank

    @property
    def state(self) -> str:
        if self.rank is not None:
            return "ranked"
        return "critical" if self.result.critical else "unfinished"


@dataclass
class Standing:
    """One category's ranking."""
    category: str
    places: list[Place] = field(default_factory=list)

    @property
    def ranked(self) -> int:
        return sum(1 for p in self.places if p.rank is not None)


def _order(places: list[Place]) -> list[Place]:
    ranked = sorted((p for p in places if p.result.percent is not None and not p.result.critical),
                    key=lambda p: (-p.result.percent, p.result.code))
    for n, place in enumerate(ranked):
        before = ranked[n - 1] if n else None
        place.rank = before.rank if before and before.result.percent == place.result.percent else n + 1
    for place in ranked:
        place.tied = sum(1 for other in ranked if other.rank == place.rank) > 1
    failed = sorted((p for p in places if p.result.critical),
                    key=lambda p: (p.result.percent is None, -(p.result.percent or 0), p.result.code))
    rest = sorted((p for p in places if p.result.percent is None and not p.result.critical),
                  key=lambda p: p.result.code)
    return ranked + failed + rest


def rank(results: Iterable[Result], grouping: Grouping, previous: Iterable[Result] | None = None) -> list[Standing]:
    """The ranking of `results` per category, in the setting's order (empty categories left out);
    with `previous` (the previous comparable set's results), each ranked school's change since."""
    by_category: dict[str, list[Place]] = {}
    for result in results:
        category = grouping.category(result.kind)
        by_category.setdefault(category, []).append(Place(result, category))
    standings = [Standing(name, _order(by_category[name])) for name in grouping.order if name in by_category]
    previous = list(previous or [])
    if previous:
        before = {(p.category, p.result.school_id): p.rank for s in rank(previous, grouping) for p in s.places}
        for standing in standings:
            for place in standing.places:
                key = (place.category, place.result.school_id)
                place.previous, place.listed_before, place.compared = before.get(key), key in before, True
    return standings


def places(standings: list[Standing]) -> dict[int, Place]:
    """Each school's place, by school id."""
    return {p.result.school_id: p for s in standings for p in s.places}


def rank_text(place: Place) -> str:
    """A place's rank as the tables show it: 2（并列）, 一票否决, 未完成."""
    if place.rank is None:
        return "一票否决" if place.state == "critical" else "未完成"
    return f"{place.rank}（并列）" if place.tied else str(place.rank)


def change_text(place: Place) -> str:
    """↑2, ↓1, 持平; 上次未排名 for a school ranked now that was in the previous ranking unranked (一票否决,
    未完成), 新 for one that was not in it; — when not ranked or there is no previous ranking."""
    if place.rank is None or not place.compared:
        return "—"
    if place.previous is None:
        return "上次未排名" if place.listed_before else "新"
    change = place.change
    return "持平" if change == 0 else (f"↑{change}" if change > 0 else f"↓{-change}")
