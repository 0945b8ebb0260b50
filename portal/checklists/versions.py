"""The life of a template version, as plain functions: a draft is edited, checked, published
(retiring the one before it), and copied into the next draft. Nothing here commits.

Exactly one version of a template is current (PUBLISHED); older ones are RETIRED but stay
readable, because inspections keep scoring against the version they were made with.
"""
from decimal import Decimal

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AnswerType, AuditLog, ChecklistTemplate, Item, Section, TemplateVersion, VersionStatus, utcnow
from ..models.checklist import DEFAULT_BANDS, DEFAULT_BELOW, TemplateKind

# What a new template's bands start as: a checklist's 优秀/良好/合格/不合格, a rubric's 优/良/中/差.
STARTING_BANDS = {TemplateKind.CHECKLIST: (DEFAULT_BANDS, DEFAULT_BELOW),
                  TemplateKind.RUBRIC: ([[90, "优"], [75, "良"], [60, "中"]], "差")}


class NotADraft(Exception):
    """The version is published or retired: it never changes again."""

    def __init__(self, version: TemplateVersion):
        super().__init__(f"第 {version.number} 版已{version.status.value}，不能修改。"
                         "如需调整，请在该版本页面点“编辑新版本”。")


class CannotPublish(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


class CannotDelete(Exception):
    pass


def preload(version: TemplateVersion) -> TemplateVersion:
    """Sections and their items in two queries, however long the checklist is."""
    db.session.execute(
        select(TemplateVersion).where(TemplateVersion.id == version.id)
        .options(selectinload(TemplateVersion.sections).selectinload(Section.items))
    ).all()
    return version


def editable(version: TemplateVersion) -> TemplateVersion:
    """The version, locked for this transaction (PostgreSQL), if it is still a draft; else NotADraft.

    The lock keeps a publish in another request from slipping in between this check and the commit.
    """
    db.session.refresh(version, with_for_update=True)
    if version.frozen:
        raise NotADraft(version)
    return version


def draft_of(template: ChecklistTemplate) -> TemplateVersion | None:
    return next((v for v in template.versions if v.status is VersionStatus.DRAFT), None)


def current_of(template: ChecklistTemplate) -> TemplateVersion | None:
    """The published version inspections start from now (at most one)."""
    return next((v for v in reversed(template.versions) if v.status is VersionStatus.PUBLISHED), None)


def next_number(template: ChecklistTemplate) -> int:
    return max((v.number for v in template.versions), default=0) + 1


def version_items(version: TemplateVersion) -> list[Item]:
    return [item for section in version.sections for item in section.items]


def create_template(name: str, description: str = "", kind: TemplateKind = TemplateKind.CHECKLIST,
                    school_kinds=()) -> ChecklistTemplate:
    """A new template with an empty draft, version 1, graded as that kind usually is (editable)."""
    bands, below = STARTING_BANDS[kind]
    template = ChecklistTemplate(name=name, description=description, kind=kind, school_kinds=list(school_kinds))
    template.versions.append(TemplateVersion(number=1, status=VersionStatus.DRAFT,
                                             bands=[list(b) for b in bands], below_band=below))
    db.session.add(template)
    return template


def copy_item(item: Item, position: int | None = None) -> Item:
    return Item(position=item.position if position is None else position, text=item.text, standard=item.standard,
                answer_type=item.answer_type, max_points=item.max_points, na_allowed=item.na_allowed,
                critical=item.critical, evidence=item.evidence, na_kinds=list(item.na_kinds or []))


def new_draft(template: ChecklistTemplate) -> tuple[TemplateVersion, bool]:
    """The template's draft: the one that exists, or a copy of its latest version (created: True).

    A second request never makes a second draft; two at the very same moment collide on the
    (template, number) unique key, and the caller answers with the draft that won.
    """
    existing = draft_of(template)
    if existing is not None:
        return existing, False
    source = current_of(template) or template.versions[-1]
    draft = TemplateVersion(number=next_number(template), status=VersionStatus.DRAFT,
                            bands=[list(band) for band in source.bands], below_band=source.below_band)
    for section in source.sections:
        draft.sections.append(Section(position=section.position, title=section.title,
                                      items=[copy_item(item) for item in section.items]))
    template.versions.append(draft)
    return draft, True


def problems(version: TemplateVersion) -> list[str]:
    """Why this draft cannot be published yet (empty: it can)."""
    found = []
    if not version.sections or not version_items(version):
        found.append("检查表还没有任何评估要点，请先添加")
    for section in version.sections:
        if not section.items:
            found.append(f"一级指标“{section.title}”下没有评估要点，请添加或删除该指标")
    if version.template.kind is TemplateKind.RUBRIC and any(
            item.answer_type is not AnswerType.POINTS for item in version_items(version)):
        found.append("听课评价表的每个评价指标都须为“计分”方式")
    return found


def publish(version: TemplateVersion) -> TemplateVersion | None:
    """Publish the draft; the version published before it is retired (returned, if any)."""
    if version.frozen:
        raise NotADraft(version)
    found = problems(version)
    if found:
        raise CannotPublish(found)
    previous = current_of(version.template)
    if previous is not None:
        previous.status = VersionStatus.RETIRED
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    return previous


def delete_draft(version: TemplateVersion) -> TemplateVersion:
    """Delete a draft that is not its template's only version; the version to show instead."""
    if version.frozen:
        raise NotADraft(version)
    template = version.template
    others = [v for v in template.versions if v is not version]
    if not others:
        raise CannotDelete("这是该模板唯一的版本，不能删除。")
    db.session.delete(version)  # its sections and items go with it
    return current_of(template) or others[-1]


def next_position(rows) -> int:
    return max((row.position for row in rows), default=0) + 1


def move(row, siblings: list, direction: str) -> bool:
    """Swap `row` with its neighbour above ("up") or below ("down"); False at either end."""
    ordered = sorted(siblings, key=lambda r: (r.position, r.id))
    index = ordered.index(row)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    neighbour = ordered[other]
    if neighbour.position == row.position:  # equal positions (never written here): renumber first
        for n, r in enumerate(ordered, start=1):
            r.position = n
    row.position, neighbour.position = neighbour.position, row.position
    return True


def version_totals() -> dict[int, tuple[int, Decimal]]:
    """Item count and total points of every version, in one query: {version id: (items, points)}."""
    rows = db.session.execute(
        select(Section.version_id, func.count(Item.id), func.coalesce(func.sum(Item.max_points), 0))
        .join(Item, Item.section_id == Section.id).group_by(Section.version_id)
    )
    return {version_id: (count, Decimal(str(points))) for version_id, count, points in rows}


def trail(version: TemplateVersion, limit: int = 30) -> Select:
    """The 变更记录 of a version: its template, itself, and its sections and items, including the
    ones deleted since (found by the version or section their snapshot names)."""
    def of(model, ids, parent: str | None = None, parent_ids=()):
        ids = [str(i) for i in ids]
        match = AuditLog.entity_id.in_(ids)
        if parent:  # cast to text: SQLite's json_extract gives a number, PostgreSQL's ->> text
            match = or_(match, cast(AuditLog.changes[parent].as_string(), String).in_([str(i) for i in parent_ids]))
        return and_(AuditLog.entity == model.__tablename__, match)

    sections = [s.id for s in version.sections]
    return (select(AuditLog).where(or_(
        of(ChecklistTemplate, [version.template_id]), of(TemplateVersion, [version.id]),
        of(Section, sections, "version_id", [version.id]),
        of(Item, [i.id for i in version_items(version)], "section_id", sections),
    )).order_by(AuditLog.id.desc()).limit(limit))
