"""Which observation records a user sees, filtered; and the counts and summaries, aggregated in SQL
so that a page's query count and memory do not grow with the number of records."""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (Observation, ObservationQuota, ObservationStatus, Role, School, SchoolClass, TemplateVersion,
                      User)
from ..security import Action, Reach, reach, readable_observations, school_ids

DEFAULT_QUOTA = {Role.LEADER: 10, Role.INSPECTOR: 20, Role.PRINCIPAL: 20, Role.STAFF: 20}  # lessons a semester; the office sets its own
UNKNOWN = "未注明"
# The roles that 推门听课 against a quota (the office observes too, without one).
OBSERVERS = (Role.LEADER, Role.INSPECTOR, Role.PRINCIPAL, Role.STAFF)


def filtered(stmt: Select, form) -> Select:
    """Narrow by the filter form's valid fields (semester, school, observer, subject, 年级, grade, dates)."""
    days = form.chosen_period
    if days:
        stmt = stmt.where(Observation.observed_on.between(days.start, days.end))
    if form.school.data and "school" not in form.errors:
        stmt = stmt.where(Observation.school_id == form.school.data)
    if form.observer.data and "observer" not in form.errors:
        stmt = stmt.where(Observation.observer_id == form.observer.data)
    if form.subject.data:
        stmt = stmt.where(Observation.subject == form.subject.data)
    if form.grade_level.data:
        stmt = stmt.where(Observation.class_id.in_(
            select(SchoolClass.id).where(SchoolClass.grade == form.grade_level.data)))
    if form.grade.data:
        stmt = stmt.where(Observation.grade == form.grade.data)
    if form.start.data and "start" not in form.errors:
        stmt = stmt.where(Observation.observed_on >= form.start.data)
    if form.end.data and "end" not in form.errors:
        stmt = stmt.where(Observation.observed_on <= form.end.data)
    return stmt


def listing(form) -> Select:
    """The records list: newest first, with what each row shows loaded in the same query."""
    stmt = select(Observation).options(joinedload(Observation.school), joinedload(Observation.observer))
    return filtered(readable_observations(stmt), form).order_by(Observation.observed_on.desc(), Observation.id.desc())


def finished(stmt: Select, form) -> Select:
    """`stmt` (over Observation) narrowed to the finished records the counts count."""
    return filtered(readable_observations(stmt), form).where(Observation.status == ObservationStatus.FINAL)


@dataclass
class Row:
    label: str
    count: int = 0
    total: Decimal = Decimal(0)
    grades: dict = field(default_factory=dict)
    quota: int | None = None
    role: Role | None = None
    up_to_standard: int = 0   # lessons graded above the rubric's lowest band (差): 课堂教学达标

    @property
    def average(self) -> Decimal | None:
        return (self.total / self.count).quantize(Decimal("0.1")) if self.count else None

    @property
    def standard_rate(self) -> Decimal | None:
        """课堂教学达标率, in per cent (the 优质均衡 plan asks ≥ 95 %)."""
        return (Decimal(100) * self.up_to_standard / self.count).quantize(Decimal("0.1")) if self.count else None


def total_of(rows: list[Row], label: str) -> Row:
    """A table's total row (its groups summed)."""
    found = Row(label, role=None)
    for row in rows:
        found.count += row.count
        found.total += row.total
        found.up_to_standard += row.up_to_standard
        for grade, n in row.grades.items():
            found.grades[grade] = found.grades.get(grade, 0) + n
    return found


def summary(form, by) -> list[Row]:
    """Counts, average total and grade distribution of finished records, grouped by `by` (a column
    or label expression): one SQL query, one row per (group, grade)."""
    passing = func.sum(case((Observation.grade != TemplateVersion.below_band, 1), else_=0))
    stmt = (select(by.label("key"), Observation.grade, func.count(), func.coalesce(func.sum(Observation.total), 0),
                   passing)
            .select_from(Observation).outerjoin(SchoolClass, SchoolClass.id == Observation.class_id)
            .join(School, School.id == Observation.school_id)
            .join(TemplateVersion, TemplateVersion.id == Observation.version_id)
            .group_by(by, Observation.grade))
    stmt = finished(stmt, form)
    rows: dict[str, Row] = {}
    for key, grade, count, total, up in db.session.execute(stmt):
        row = rows.setdefault(key or UNKNOWN, Row(key or UNKNOWN))
        row.count += count
        row.total += Decimal(str(total))
        row.up_to_standard += up or 0
        row.grades[grade or UNKNOWN] = row.grades.get(grade or UNKNOWN, 0) + count
    return sorted(rows.values(), key=lambda r: (-r.count, r.label))


def by_observer(form) -> list[Row]:
    """Each observer's finished records against their role's quota (observers with none included
    when the filter names no school or observer: a quota not started on shows). Someone who sees
    only part of the county (an inspector) gets their own row only; a school's own people (its
    principal, its 中层) the rows of their school's observers, all of whose lessons are at that school."""
    counts = dict(db.session.execute(
        finished(select(Observation.observer_id, func.count()).group_by(Observation.observer_id), form)).all())
    quotas = quota_table()
    stmt = select(User).where(User.role.in_(OBSERVERS), User.active).order_by(User.role, User.username)
    if form.observer.data:
        stmt = select(User).where(User.id == form.observer.data)
    if reach(current_user, Action.LESSONS) is Reach.OWN:
        stmt = stmt.where(User.school_id == current_user.school_id)
    elif school_ids(current_user, Action.LESSONS) is not None:  # sees part of the county: others' counts would be partial
        stmt = select(User).where(User.id == current_user.id)
    rows = [Row(user.display_name, counts.get(user.id, 0), quota=quotas.get(user.role), role=user.role)
            for user in db.session.scalars(stmt)]
    return sorted(rows, key=lambda r: (r.role.name if r.role else "", -r.count, r.label))


def role_totals(observers: list[Row]) -> list[Row]:
    """The observers' lessons summed by role (all the county's leaders together: the "60余节次" of a report)."""
    roles = dict.fromkeys(row.role for row in observers if row.role)
    return [Row(f"{role.value}合计", sum(r.count for r in observers if r.role is role), role=role) for role in roles]


def semester_count(semester, observer_id: int | None = None) -> int:
    """Finished records of a semester: the county's, or (`observer_id`) one observer's."""
    stmt = select(func.count()).select_from(Observation).where(
        Observation.status == ObservationStatus.FINAL, Observation.observed_on.between(semester.start, semester.end))
    if observer_id is not None:
        stmt = stmt.where(Observation.observer_id == observer_id)
    return db.session.scalar(stmt)


def quota_table() -> dict[Role, int]:
    """Lessons per semester for each observing role: the office's figures, else the defaults."""
    quotas = dict(DEFAULT_QUOTA)
    quotas.update({q.role: q.per_semester for q in db.session.scalars(select(ObservationQuota))})
    return quotas


def set_quota(role: Role, per_semester: int) -> None:
    quota = db.session.scalar(select(ObservationQuota).where(ObservationQuota.role == role))
    if quota is None:
        db.session.add(ObservationQuota(role=role, per_semester=per_semester))
    else:
        quota.per_semester = per_semester


GROUPS = {"school": ("学校", School.name), "subject": ("学科", Observation.subject), "grade": ("年级", SchoolClass.grade)}


def school_semester(school_id: int, semester) -> Row:
    """A school's finished lessons in a semester and how many were 达标 (the school's 听课记录 a checklist
    item asks about), of those the current user may read."""
    passing = func.sum(case((Observation.grade != TemplateVersion.below_band, 1), else_=0))
    stmt = (select(func.count(), passing).select_from(Observation)
            .join(TemplateVersion, TemplateVersion.id == Observation.version_id)
            .where(Observation.school_id == school_id, Observation.status == ObservationStatus.FINAL,
                   Observation.observed_on.between(semester.start, semester.end)))
    count, up = db.session.execute(readable_observations(stmt)).one()
    return Row(semester.name, count, up_to_standard=up or 0)
