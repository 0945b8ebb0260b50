"""Demo data for 推门听课: each school's classes (with a timetable at a few schools) and teachers,
the default rubric, and some finished observations by the leaders and inspectors."""
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ..extensions import db
from ..models import (Observation, ObservationScore, ObservationStatus, School, SchoolClass, SchoolKind, Teacher,
                      TimetableSlot, User)
from . import grading
from .rubric import load_default_rubric

PRIMARY = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")
JUNIOR = ("七年级", "八年级", "九年级")
SENIOR = ("高一", "高二", "高三")
GRADES = {
    SchoolKind.KINDERGARTEN: ("小班", "中班", "大班"), SchoolKind.PRIMARY: PRIMARY, SchoolKind.JUNIOR: JUNIOR,
    SchoolKind.NINE_YEAR: PRIMARY + JUNIOR, SchoolKind.COMPLETE_SECONDARY: JUNIOR + SENIOR, SchoolKind.SENIOR: SENIOR,
    SchoolKind.TEACHING_POINT: PRIMARY[:3], SchoolKind.SPECIAL: PRIMARY, SchoolKind.VOCATIONAL: ("一年级", "二年级", "三年级"),
}
SUBJECTS = ("语文", "数学", "英语", "科学", "道德与法治", "物理", "化学", "历史", "地理", "生物", "音乐", "体育", "美术")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ("晓燕", "志刚", "丽娟", "海波", "春花", "建军", "秀兰", "文静", "国强", "玉梅", "明辉", "慧敏")
TOPICS = ("《春》", "一元一次方程", "Unit 3 My School", "光的折射", "分数的意义", "中国的地形", "细胞的结构", "古诗两首")


def classes_for(school: School) -> list[SchoolClass]:
    grades = GRADES.get(school.kind, PRIMARY)
    per_grade = max(1, min(4, school.classes // len(grades)))
    return [SchoolClass(school=school, grade=grade, name=f"{n}班") for grade in grades for n in range(1, per_grade + 1)]


def seed(rng: random.Random, schools: list[School], observers: list[User], timetables: int = 3) -> None:
    """Classes and teachers for every school, timetables for the first `timetables`, the default
    rubric, one open observation (id 1, the first observer's) and three finished ones by each observer
    in the last weeks, inspectors at their own schools."""
    rubric = load_default_rubric().versions[0]
    db.session.flush()
    items = grading.dimensions(rubric)
    classes_of = {}
    for index, school in enumerate(schools):
        classes = classes_of[school] = classes_for(school)
        db.session.add_all(classes)
        names = {SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(GIVEN) for _ in range(12)}
        db.session.add_all(Teacher(school=school, name=name, subject=rng.choice(SUBJECTS[:5])) for name in sorted(names))
        if index < timetables:
            for school_class in classes:
                school_class.slots = [TimetableSlot(weekday=d, period=p, subject=rng.choice(SUBJECTS[:5]))
                                      for d in range(1, 6) for p in range(1, 8)]
    db.session.flush()
    today = date.today()
    first = observers[0]
    db.session.add(Observation(school=(first.schools or schools)[0], observer=first, version=rubric, observed_on=today,
                               period=2, class_label="一年级1班"))  # observation 1: still open
    for observer in observers:
        for n in range(3):
            school = rng.choice(observer.schools or schools)
            day = today - timedelta(days=rng.randint(1, 40))
            school_class = rng.choice(classes_of[school])
            observation = Observation(
                school=school, observer=observer, version=rubric, observed_on=day, period=rng.randint(1, 7),
                started_at=datetime.combine(day, time(1 + n, 30), tzinfo=UTC), status=ObservationStatus.FINAL,
                finished_at=datetime.combine(day, time(2 + n), tzinfo=UTC),
                teacher_name=SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(GIVEN), subject=rng.choice(SUBJECTS[:5]),
                school_class=school_class, class_label=school_class.label, topic=rng.choice(TOPICS),
                strengths="师生互动充分，学生参与面广。", problems="当堂检测时间偏少。", suggestions="留足练习和反馈时间。",
                scores=[ObservationScore(item_id=item.id, points=_points(rng, item.max_points)) for item in items])
            db.session.add(observation)
            grading.regrade(observation)

def _points(rng: random.Random, max_points: Decimal) -> Decimal:
    return (max_points * rng.choice([6, 7, 8, 8, 9, 10]) / 10 * 2).quantize(Decimal(1)) / 2
