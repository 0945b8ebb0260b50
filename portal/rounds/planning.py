"""Planning a supervision round: which schools, which inspector for each, and how far it has got.

- Schools are picked by the office, or drawn at random from the active schools that match the
  round's filters (one recorded draw, see draws/lots.py).
- Inspectors are assigned in turn from the chosen list, or drawn at random for each school (one
  recorded draw per school). In a random draw the candidates for a school are the chosen
  inspectors with the fewest schools so far in this round, school by school (the work is spread
  as evenly as that greedy rule and the exclusions allow), and, when `exclude_own_zone` is set,
  none whose own 责任区 holds that school.
"""
import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from ..draws import lots
from ..extensions import db
from ..models import (ChecklistTemplate, Draw, Inspection, InspectionStatus, Round, School, SchoolKind, User,
                      inspector_school, kinds_in_words)
from ..schools import queries as school_queries
from ..teams import roster


class PlanningError(ValueError):
    """The plan cannot be made as asked; the message says why, in Chinese."""


# The one-tap choice 义务教育学校 on the round form (SchoolKind names).
COMPULSORY = ("PRIMARY", "JUNIOR", "NINE_YEAR")


def candidate_schools(kinds=(), group: str = "", township: str = "", project: bool = False) -> Select:
    """The active schools a round may take, narrowed as the school list narrows them; `kinds`:
    SchoolKind names, any of them (none: every kind)."""
    stmt = school_queries.filtered(group=group, township=township, project="1" if project else "")
    return stmt.where(School.kind.in_([SchoolKind[k] for k in kinds])) if kinds else stmt


@dataclass(frozen=True)
class Pool:
    """The schools a round may take, and those its filters matched but its rules leave out, with why."""
    schools: list[School]
    left_out: list[tuple[School, str]]


def left_out_because(school: School, template: ChecklistTemplate | None, skip_teaching_points: bool,
                     min_students: int | None) -> str | None:
    """Why a round leaves this school out (None: it may take it)."""
    if template is not None and not template.fits(school.kind):
        return f"{template.name}不适用于{school.kind.value}"
    if skip_teaching_points and school.kind is SchoolKind.TEACHING_POINT:
        return "教学点（本批次设置为不列入）"
    if min_students and school.students < min_students:
        return f"在校生 {school.students} 人，少于 {min_students} 人"
    return None


def candidates(kinds=(), group: str = "", township: str = "", project: bool = False, *,
               template: ChecklistTemplate | None = None, skip_teaching_points: bool = False,
               min_students: int | None = None) -> Pool:
    """The schools matching the filters, split into those the round may take and those it leaves out."""
    schools, left_out = [], []
    for school in db.session.scalars(candidate_schools(kinds, group, township, project)):
        why = left_out_because(school, template, skip_teaching_points, min_students)
        if why is None:
            schools.append(school)
        else:
            left_out.append((school, why))
    return Pool(schools, left_out)


def in_words(kinds=(), group: str = "", township: str = "", project: bool = False, *,
             template: ChecklistTemplate | None = None, skip_teaching_points: bool = False,
             min_students: int | None = None) -> str:
    """The candidates' filters and exclusions as a school draw records them (its rule)."""
    named = kinds_in_words(kinds)
    parts = [named, group, township, "公办强校项目学校" if project else None,
             f"{template.name}适用的学校" if template is not None and template.school_kinds else None,
             "不含教学点" if skip_teaching_points else None,
             f"在校生不少于 {min_students} 人" if min_students else None]
    return "候选：在用学校" + "".join(f"，{p}" for p in parts if p)


def plan(new: Round, pool: Pool, *, draw_count: int | None, chosen: set[int], rule: str,
         inspectors: list[User], inspectors_at_random: bool, exclude_own_zone: bool, team: list[int] = ()) -> Round:
    """The round, its draws and one inspection per school (added, not committed). Its schools are
    `draw_count` drawn from the pool's schools under `rule`, or (None) those `chosen` of them. `team`:
    the 督导组's 组员 (user ids) who go with each school's inspector, its 组长 (one who is that
    inspector is not their own 组员)."""
    if draw_count is not None:
        new.school_draw, schools = draw_schools(f"{new.name} 学校", pool.schools, draw_count, rule)
    else:
        schools = [s for s in pool.schools if s.id in chosen]
        refused = [f"{school.name}：{why}" for school, why in pool.left_out if school.id in chosen]
        if refused:
            raise PlanningError("以下学校不能列入本批次：" + "；".join(refused))
        if len(schools) != len(chosen):
            raise PlanningError("所选学校中有不符合筛选条件或已停用的学校，请重新选择")
    for a in assign(new.name, schools, inspectors, inspectors_at_random, exclude_own_zone):
        inspection = Inspection(school=a.school, version_id=new.version_id, inspector=a.inspector,
                                inspector_draw=a.draw, visit_date=new.starts_on)
        roster.set_team(inspection, a.inspector.id, list(team))
        new.inspections.append(inspection)
    db.session.add(new)
    return new


def draw_schools(purpose: str, candidates: list[School], count: int, rule: str) -> tuple[Draw, list[School]]:
    if not 0 < count <= len(candidates):
        raise PlanningError(f"符合条件的学校有 {len(candidates)} 所，抽取数须在 1 到 {len(candidates)} 之间")
    record = lots.draw(purpose, [(s.id, s.name) for s in candidates], count, rule=rule)
    by_id = {str(s.id): s for s in candidates}
    return record, [by_id[key] for key in record.picked]


def zones(inspectors: list[User]) -> dict[int, set[int]]:
    """Each inspector's own 责任区 (school ids)."""
    result = {inspector.id: set() for inspector in inspectors}
    rows = db.session.execute(select(inspector_school.c.user_id, inspector_school.c.school_id)
                              .where(inspector_school.c.user_id.in_(result)))
    for user_id, school_id in rows:
        result[user_id].add(school_id)
    return result


@dataclass
class Assignment:
    school: School
    inspector: User
    draw: Draw | None = None


def assign(round_name: str, schools: list[School], inspectors: list[User], at_random: bool,
           exclude_own_zone: bool) -> list[Assignment]:
    if not inspectors:
        raise PlanningError("请至少选择一名督学")
    if not at_random:
        return [Assignment(school, inspectors[i % len(inspectors)]) for i, school in enumerate(schools)]
    zone = zones(inspectors) if exclude_own_zone else {}
    load = {inspector.id: 0 for inspector in inspectors}
    by_id = {str(inspector.id): inspector for inspector in inspectors}
    result = []
    for school in schools:
        eligible = [i for i in inspectors if school.id not in zone.get(i.id, set())]
        if not eligible:
            raise PlanningError(f"{school.name}：所选督学都是该校的责任督学，无人可派")
        fewest = min(load[i.id] for i in eligible)
        candidates = [i for i in eligible if load[i.id] == fewest]
        rule = "候选：所选督学中本批次已分配学校最少者" + ("，不含该校的责任督学" if exclude_own_zone else "")
        record = lots.draw(f"{round_name} · {school.name} 督学", [(i.id, i.display_name) for i in candidates], 1,
                            rule=rule)
        chosen = by_id[record.picked[0]]
        load[chosen.id] += 1
        result.append(Assignment(school, chosen, record))
    return result


class Progress(enum.Enum):
    NOT_STARTED = "未开始"
    IN_PROGRESS = "进行中"
    SUBMITTED = "已提交"
    APPROVED = "已通过"


def progress(inspection: Inspection, answered: int) -> Progress:
    if inspection.status is InspectionStatus.APPROVED:
        return Progress.APPROVED
    if inspection.status is InspectionStatus.SUBMITTED:
        return Progress.SUBMITTED
    return Progress.IN_PROGRESS if answered or inspection.status is InspectionStatus.RETURNED else Progress.NOT_STARTED


def is_late(inspection: Inspection, ends_on: date, today: date) -> bool:
    """Past the round's last day and not yet handed in (submitted or approved)."""
    return today > ends_on and inspection.status not in (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)
