"""Recording a lesson: starting the record (with an optional open random class draw), saving its
fields and its scores as the observer types and taps (the autosave rule of portal/idempotency.py),
the quick log, and finishing it. Nothing here commits.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..clock import local_date
from ..draws import lots
from ..extensions import db
from ..idempotency import Outcome, QueueKey, among, judge
from ..models import (Observation, ObservationLog, ObservationScore, ObservationStatus, School, SchoolClass, Teacher,
                      TemplateVersion, TimetableSlot, utcnow)
from . import grading

# The record's own fields, saved together as one autosave unit.
FIELDS = ("teacher_name", "subject", "class_id", "class_label", "topic", "period", "observed_on",
          "strengths", "problems", "suggestions")
LOG_KINDS = ("教师讲授", "学生讨论", "提问互动", "学生练习", "小组合作", "学生展示", "多媒体演示", "当堂检测")


def classes_of(school_id: int, *options) -> list[SchoolClass]:
    """The school's classes in school order (一年级1班, 一年级2班, 二年级1班, …)."""
    rows = db.session.scalars(select(SchoolClass).where(SchoolClass.school_id == school_id).options(*options))
    return sorted(rows, key=lambda c: c.order)


def teachers_of(school_id: int) -> list[Teacher]:
    return db.session.scalars(select(Teacher).where(Teacher.school_id == school_id).order_by(Teacher.name)).all()


def subject_for(school_class: SchoolClass | None, day: date, period: int | None) -> str:
    """The subject the timetable gives this class on that weekday and period ("" when unknown)."""
    if school_class is None or period is None:
        return ""
    return db.session.scalar(select(TimetableSlot.subject).where(
        TimetableSlot.class_id == school_class.id, TimetableSlot.weekday == day.isoweekday(),
        TimetableSlot.period == period)) or ""


def draw_class(school: School, classes: list[SchoolClass]):
    """Draw one of the school's classes openly (recorded by draws/lots.py); (the draw, the class)."""
    record = lots.draw(f"推门听课随机抽班 · {school.name}", [(c.id, c.label) for c in classes], 1,
                        rule="从该校全部班级中随机抽取 1 个班听课", school_id=school.id)
    picked = int(record.picked[0])
    return record, next(c for c in classes if c.id == picked)


def start(school: School, version: TemplateVersion, observer_id: int, key: str, *,
          school_class: SchoolClass | None = None, period: int | None = None, draw: bool = False) -> Observation:
    """A new record, stamped now by the server; `draw`: the class is drawn from the school's classes."""
    now = utcnow()
    observation = Observation(school_id=school.id, version=version, observer_id=observer_id, client_key=key,
                              started_at=now, observed_on=local_date(now), period=period)
    if draw:
        observation.draw, school_class = draw_class(school, classes_of(school.id))
    if school_class is not None:
        observation.class_id, observation.class_label = school_class.id, school_class.label
        observation.subject = subject_for(school_class, observation.observed_on, period)
    db.session.add(observation)
    return observation


def fields_of(observation: Observation) -> dict:
    return {name: getattr(observation, name) for name in FIELDS}


def save_fields(observation: Observation, values: dict, base: int, key: str | None) -> Outcome:
    """Apply the record's fields as one unit (flushed, not committed); on CONFLICT rolled back."""
    same = all(getattr(observation, name) == value for name, value in values.items())
    outcome = judge(same, observation.revision, observation.last_key, base, key)
    if outcome is not None:
        return outcome
    for name, value in values.items():
        setattr(observation, name, value)
    observation.teacher_id = db.session.scalar(select(Teacher.id).where(
        Teacher.school_id == observation.school_id, Teacher.name == observation.teacher_name))
    observation.revision, observation.last_key = observation.revision + 1, key
    return _flushed()


@dataclass(frozen=True)
class ScoreChange:
    points: Decimal | None
    base: int
    key: str | None


def find_score(observation: Observation, item_id: int) -> ObservationScore | None:
    return next((s for s in observation.scores if s.item_id == item_id), None)


def save_score(observation: Observation, item_id: int, change: ScoreChange) -> Outcome:
    """One dimension's points, then the record's total and grade (flushed, not committed)."""
    score = find_score(observation, item_id)
    if score is not None:
        outcome = judge(score.points == change.points, score.revision, score.last_key, change.base, change.key)
        if outcome is not None:
            return outcome
    elif change.base != 0:
        return Outcome.CONFLICT
    elif change.points is None:
        return Outcome.UNCHANGED
    else:
        score = ObservationScore(item_id=item_id)
        observation.scores.append(score)
    score.points, score.last_key = change.points, change.key
    grading.regrade(observation)
    return _flushed()


def _flushed() -> Outcome:
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):  # lost a race with another save of the same unit
        db.session.rollback()
        return Outcome.CONFLICT
    return Outcome.SAVED


def add_log(observation: Observation, kind: str, key: str, age_ms: int | None = None) -> ObservationLog:
    """A quick-log line stamped by the server: now, or `age_ms` ago for a tap that waited on the
    tablet (never before the record began). The same key again (a double tap, a resend) adds nothing.
    One device's taps keep the order they were tapped in (their queue keys' sequence), however late
    or out of order they arrive: a moment derived from a late reply never overtakes its neighbours."""
    line = among(observation.log, key)
    if line is None:
        at = max(utcnow() - timedelta(milliseconds=age_ms or 0), observation.started_at)
        line = ObservationLog(kind=kind, client_key=key, at=in_sequence(observation.log, key, at))
        observation.log.append(line)
    return line


def in_sequence(lines: list[ObservationLog], key: str, at: datetime) -> datetime:
    """`at`, moved just after the same device's earlier taps and just before its later ones."""
    this = QueueKey.parse(key)
    if this is None:
        return at
    step = timedelta(milliseconds=1)
    for line in lines:
        other = QueueKey.parse(line.client_key)
        if other is not None and other.device == this.device:
            at = max(at, line.at + step) if other.seq < this.seq else min(at, line.at - step)
    return at


def missing(observation: Observation) -> list[str]:
    """What stops the record being finished (empty: it can be)."""
    result = grading.result_of(observation)
    found = []
    if not observation.teacher_name:
        found.append("请填写授课教师")
    if not observation.subject:
        found.append("请填写学科")
    if not result.complete:
        found.append(f"还有 {result.dimensions - result.scored} 项评价指标未打分")
    return found


def finish(observation: Observation) -> None:
    observation.status, observation.finished_at = ObservationStatus.FINAL, utcnow()
