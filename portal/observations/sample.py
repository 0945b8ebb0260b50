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
# Lessons by stage: (subject, topic) pairs a class of that stage would have.
LESSONS = {
    "幼儿园": (("健康", "好玩的球"), ("语言", "小熊请客"), ("科学", "沉与浮"), ("艺术", "小雨沙沙"), ("社会", "我的好朋友")),
    "小学低年级": (("语文", "《小蝌蚪找妈妈》"), ("数学", "认识钟表"), ("数学", "100以内的加法"), ("英语", "Unit 2 Colours"),
              ("科学", "观察一棵植物"), ("道德与法治", "我们的班级")),
    "小学高年级": (("语文", "《草船借箭》"), ("数学", "分数的意义"), ("数学", "圆的面积"), ("英语", "Unit 3 My School"),
              ("科学", "光的传播"), ("道德与法治", "我们是公民")),
    "初中": (("语文", "《春》"), ("语文", "《背影》"), ("数学", "一元一次方程"), ("数学", "勾股定理"),
           ("英语", "Unit 5 Do you have a soccer ball?"), ("科学", "光的折射"), ("道德与法治", "走进法治天地")),
    "高中": (("语文", "《劝学》"), ("数学", "函数的单调性"), ("英语", "Unit 1 Teenage Life"), ("生物", "细胞的结构"),
           ("思想政治", "宪法是根本法")),
}


def stage_of(school: School, grade: str) -> str:
    if school.kind is SchoolKind.KINDERGARTEN:
        return "幼儿园"
    if grade in SENIOR or school.kind is SchoolKind.VOCATIONAL:
        return "高中"
    if grade in JUNIOR:
        return "初中"
    return "小学低年级" if grade in PRIMARY[:3] else "小学高年级"


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
            subject, topic = rng.choice(LESSONS[stage_of(school, school_class.grade)])
            observation = Observation(
                school=school, observer=observer, version=rubric, observed_on=day, period=rng.randint(1, 7),
                started_at=datetime.combine(day, time(1 + n, 30), tzinfo=UTC), status=ObservationStatus.FINAL,
                finished_at=datetime.combine(day, time(2 + n), tzinfo=UTC),
                teacher_name=SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(GIVEN), subject=subject,
                school_class=school_class, class_label=school_class.label, topic=topic,
                strengths="师生互动充分，学生参与面广。", problems="当堂检测时间偏少。", suggestions="留足练习和反馈时间。",
                scores=[ObservationScore(item_id=item.id, points=_points(rng, item.max_points)) for item in items])
            db.session.add(observation)
            grading.regrade(observation)

def _points(rng: random.Random, max_points: Decimal) -> Decimal:
    return (max_points * rng.choice([6, 7, 8, 8, 9, 10]) / 10 * 2).quantize(Decimal(1)) / 2
