"""An inspection as the pages show it: its version's sections and items, each with its answer,
scored per section and in total by scoring.score(). Pages, lists and exports read scores here."""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import Answer, AnswerType, EvidenceRule, Inspection, Item, Section, TemplateVersion
from . import scoring


NO_ANSWER = scoring.Answer()


@dataclass(frozen=True)
class ItemInfo(scoring.ItemRule):
    """An item as pages show it; it is its own scoring rule."""
    text: str = ""
    standard: str = ""
    na_allowed: bool = False
    evidence: EvidenceRule = EvidenceRule.NONE


@dataclass(frozen=True)
class SectionInfo:
    id: int
    title: str
    items: tuple[ItemInfo, ...]


def layout(version: TemplateVersion) -> tuple[SectionInfo, ...]:
    """A version's sections and items as plain values. A published version never changes, so its
    layout is read once per process (keyed by id and publication time) and shared by every request."""
    cache = current_app.extensions.setdefault("checklist_layouts", {})
    key = (version.id, version.published_at)
    if version.frozen and key in cache:
        return cache[key]
    sections = tuple(
        SectionInfo(section.id, section.title, tuple(
            ItemInfo(id=item.id, max_points=item.max_points, answer_type=item.answer_type, critical=item.critical,
                     na_kinds=tuple(item.na_kinds or ()), text=item.text, standard=item.standard,
                     na_allowed=item.na_allowed, evidence=item.evidence)
            for item in section.items))
        for section in sections_of(version.id))
    if version.frozen:
        cache[key] = sections
    return sections


def find_item(version: TemplateVersion, item_id: int) -> ItemInfo | None:
    return next((item for section in layout(version) for item in section.items if item.id == item_id), None)


def section_of(version: TemplateVersion, item_id: int) -> int | None:
    """The id of the section an item of the version is in."""
    return next((section.id for section in layout(version) for item in section.items if item.id == item_id), None)


def rule(item: Item | ItemInfo) -> scoring.ItemRule:
    if isinstance(item, scoring.ItemRule):
        return item
    return scoring.ItemRule(item.id, item.max_points, item.answer_type, item.critical, tuple(item.na_kinds or ()))


def given(item: Item | ItemInfo, answer) -> scoring.Answer:
    """The stored answer in scoring's terms (points are stored as text)."""
    if answer is None:
        return NO_ANSWER
    return _given(item.answer_type, answer.value, answer.na)


@lru_cache(maxsize=4096)
def _given(answer_type: AnswerType, value: str | None, na: bool) -> scoring.Answer:
    """A pure function of its arguments, remembered: an inspection's answers repeat a few labels
    and point values, and autosave scores all of them on every save."""
    if na:
        return scoring.Answer(na=True)
    if value is None:
        return NO_ANSWER
    if answer_type is AnswerType.POINTS:
        try:
            return scoring.Answer(Decimal(value))
        except InvalidOperation:
            return NO_ANSWER
    return scoring.Answer(value)


@dataclass
class Row:
    item: ItemInfo
    answer: Answer | None  # or, beside an autosave's row, a row of the scoring columns
    points: Decimal | None
    not_met: bool
    kind_na: bool = False  # the checklist marks the item N/A for this school's kind


@dataclass
class Part:
    section: SectionInfo
    rows: list[Row]
    score: scoring.Score


@dataclass
class Sheet:
    inspection: Inspection
    parts: list[Part] = field(default_factory=list)
    total: scoring.Score = field(default_factory=scoring.Score)

    def part_of(self, item_id: int) -> Part:
        return next(part for part in self.parts if any(row.item.id == item_id for row in part.rows))

    def row(self, item_id: int) -> Row:
        return next(row for row in self.part_of(item_id).rows if row.item.id == item_id)


def sections_of(version_id: int) -> list[Section]:
    return db.session.scalars(
        select(Section).where(Section.version_id == version_id).order_by(Section.position)
        .options(selectinload(Section.items))
    ).all()


class Stored(NamedTuple):
    """What scoring reads of a stored answer."""
    value: str | None
    na: bool


# What scoring reads of every answer; built once, autosave runs it on every save.
SCORED = select(Answer.item_id, Answer.value, Answer.na).where(Answer.inspection_id == bindparam("inspection_id"))


def build(inspection: Inspection, photos: bool = True) -> Sheet:
    """The whole sheet in a fixed number of queries, whatever the number of items."""
    stmt = select(Answer).where(Answer.inspection_id == inspection.id)
    if photos:
        stmt = stmt.options(selectinload(Answer.photos))
    return _scored(inspection, {answer.item_id: answer for answer in db.session.scalars(stmt)})


def saved(inspection: Inspection, item_id: int, answer: Answer | None) -> Sheet:
    """What an autosave answers with, in one query: every section's score from the answers'
    scoring columns, and a single row, the saved item's, with its `answer` as the session has it."""
    rows = db.session.connection().execute(SCORED, {"inspection_id": inspection.id})  # plain rows: no ORM layer
    answers = {item: Stored(value, na) for item, value, na in rows}
    if answer is not None:
        answers[item_id] = answer
    return _scored(inspection, answers, item_id)


def _scored(inspection: Inspection, answers: dict, row_of: int | None = None) -> Sheet:
    """Rows for every item, or (`row_of`) for that one item only; scores for every section."""
    sheet = Sheet(inspection)
    bands, below, kind = inspection.version.bands, inspection.version.below_band, inspection.school.kind.name
    for section in layout(inspection.version):
        answered = {item.id: given(item, answers[item.id]) for item in section.items if item.id in answers}
        rows = [_row(item, answers.get(item.id), answered.get(item.id, NO_ANSWER), kind)
                for item in section.items if row_of is None or item.id == row_of]
        sheet.parts.append(Part(section, rows, scoring.score(section.items, answered, bands, below, kind)))
    sheet.total = scoring.combine([part.score for part in sheet.parts], bands, below)
    return sheet


def _row(item: ItemInfo, answer, given_answer: scoring.Answer, school_kind: str) -> Row:
    if scoring.not_applicable(item, school_kind):
        return Row(item, answer, None, False, kind_na=True)
    return Row(item, answer, *scoring.judge(item, given_answer))


def record_result(inspection: Inspection, built: Sheet | None = None) -> None:
    """Keep the total on the inspection as it is submitted (what the county figures read)."""
    total = (built or build(inspection, photos=False)).total
    inspection.percent, inspection.band = total.percent, total.band
    inspection.critical_failed = bool(total.critical_failures)


def answers_of(inspections: list[Inspection]) -> tuple[dict[int, list[Item]], dict[int, dict[int, Answer]]]:
    """For many inspections at once (two queries): their versions' items in page order, and their
    answers by inspection and item."""
    version_ids = {inspection.version_id for inspection in inspections}
    items = db.session.scalars(
        select(Item).join(Item.section).where(Section.version_id.in_(version_ids))
        .options(contains_eager(Item.section)).order_by(Section.position, Item.position)
    ).all()
    by_version: dict[int, list[Item]] = {}
    for item in items:
        by_version.setdefault(item.section.version_id, []).append(item)
    answers: dict[int, dict[int, Answer]] = {}
    stmt = select(Answer).where(Answer.inspection_id.in_([i.id for i in inspections])).options(selectinload(Answer.photos))
    for answer in db.session.scalars(stmt):
        answers.setdefault(answer.inspection_id, {})[answer.item_id] = answer
    return by_version, answers


def totals(inspections: list[Inspection]) -> dict[int, scoring.Score]:
    """Total scores of many inspections (a list page, a round's progress) in a fixed number of queries:
    their answers' scoring columns against each version's layout. Each score's answered/applicable
    counts only the items that apply at its school (not those its kind is N/A for)."""
    if not inspections:
        return {}
    answers: dict[int, dict[int, Stored]] = {inspection.id: {} for inspection in inspections}
    rows = db.session.execute(select(Answer.inspection_id, Answer.item_id, Answer.value, Answer.na)
                              .where(Answer.inspection_id.in_(list(answers))))
    for inspection_id, item_id, value, na in rows:
        answers[inspection_id][item_id] = Stored(value, na)
    items: dict[int, list[ItemInfo]] = {}
    for inspection in inspections:
        if inspection.version_id not in items:
            items[inspection.version_id] = [item for section in layout(inspection.version) for item in section.items]
    return {inspection.id: total(inspection, items[inspection.version_id], answers[inspection.id])
            for inspection in inspections}


def total(inspection: Inspection, items: list, answers: dict) -> scoring.Score:
    """An inspection's total score from its version's items and its answers by item id."""
    return scoring.score([rule(item) for item in items], {item.id: given(item, answers.get(item.id)) for item in items},
                         inspection.version.bands, inspection.version.below_band, inspection.school.kind.name)
