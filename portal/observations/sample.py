"""Demo data for 推门听课: each school's classes (as many as the school counts, with a timetable at a
few schools) and teachers of every subject it teaches, the default rubric, and some finished
observations by the leaders, inspectors and schools' 中层, in school hours."""
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

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
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN = ("晓燕", "志刚", "丽娟", "海波", "春花", "建军", "秀兰", "文静", "国强", "玉梅", "明辉", "慧敏", "子涵", "思远",
         "雅琴", "俊杰", "红梅", "立新", "婷婷", "伟", "芳", "磊", "静", "军")

ARTS_AND_PE = ("体育", "音乐", "美术")  # 优质均衡 counts their teachers apart: every school has some
# The week of a class (35 periods: 5 days × 7), by grade: subjects and their periods a week.
WEEK = {
    "幼儿园": {"健康": 7, "语言": 7, "社会": 7, "科学": 7, "艺术": 7},
    "小学低年级": {"语文": 9, "数学": 6, "道德与法治": 3, "科学": 2, "体育": 5, "音乐": 3, "美术": 3, "劳动": 2, "班会": 2},
    "小学高年级": {"语文": 7, "数学": 6, "英语": 4, "道德与法治": 3, "科学": 3, "体育": 4, "音乐": 2, "美术": 2,
              "信息科技": 2, "班会": 2},  # 英语 from 三年级
    "七年级": {"语文": 6, "数学": 6, "英语": 5, "道德与法治": 2, "历史": 2, "地理": 2, "生物": 3, "体育": 3, "音乐": 2,
            "美术": 2, "信息科技": 1, "班会": 1},
    "八年级": {"语文": 5, "数学": 5, "英语": 5, "物理": 3, "道德与法治": 2, "历史": 2, "地理": 2, "生物": 2, "体育": 3,
            "音乐": 2, "美术": 2, "班会": 2},  # 物理 from 八年级
    "九年级": {"语文": 6, "数学": 6, "英语": 5, "物理": 4, "化学": 4, "道德与法治": 2, "历史": 2, "体育": 3, "音乐": 1,
            "美术": 1, "班会": 1},
    "高中": {"语文": 5, "数学": 5, "英语": 5, "物理": 3, "化学": 3, "生物": 3, "思想政治": 2, "历史": 2, "地理": 2, "体育": 2,
           "音乐": 1, "美术": 1, "班会": 1},
}
# Lessons an observer would see, by stage and subject (a subject not listed: its stage's first topic of it).
TOPICS = {
    "幼儿园": {"健康": ("好玩的球", "我会洗手"), "语言": ("小熊请客", "拔萝卜"), "科学": ("沉与浮", "有趣的影子"),
            "艺术": ("小雨沙沙", "彩色的梦"), "社会": ("我的好朋友", "超市购物")},
    "小学低年级": {"语文": ("《小蝌蚪找妈妈》", "《雪地里的小画家》", "识字：天地人"), "数学": ("认识钟表", "100以内的加法"),
              "道德与法治": ("我们的班级",), "科学": ("观察一棵植物",), "体育": ("立定跳远", "跳短绳"),
              "音乐": ("《小星星》",), "美术": ("会变的线条", "彩泥小动物")},
    "小学高年级": {"语文": ("《草船借箭》", "《桥》", "习作：我的心爱之物"), "数学": ("分数的意义", "圆的面积", "小数乘法"),
              "英语": ("Unit 3 My School", "Unit 2 Ways to go to school"), "科学": ("光的传播", "电路"),
              "道德与法治": ("我们是公民",), "体育": ("50米快速跑", "前滚翻"), "音乐": ("《唱脸谱》", "《送别》"),
              "美术": ("色彩的对比", "校园写生"), "信息科技": ("认识键盘",)},
    "初中": {"语文": ("《春》", "《背影》", "《岳阳楼记》"), "数学": ("一元一次方程", "勾股定理", "二次函数的图象"),
           "英语": ("Unit 5 Do you have a soccer ball?", "Unit 7 Will people have robots?"),
           "物理": ("声音的产生与传播", "欧姆定律", "浮力"), "化学": ("空气的组成", "质量守恒定律"),
           "道德与法治": ("走进法治天地",), "历史": ("秦统一中国",), "地理": ("中国的河流",), "生物": ("细胞是生命活动的基本单位",),
           "体育": ("篮球行进间运球", "耐久跑"), "音乐": ("《黄河大合唱》欣赏",), "美术": ("线描风景",)},
    "高中": {"语文": ("《劝学》", "《赤壁赋》"), "数学": ("函数的单调性", "等比数列"), "英语": ("Unit 1 Teenage Life",),
           "物理": ("牛顿第二定律",), "化学": ("氧化还原反应",), "生物": ("细胞的结构",), "思想政治": ("宪法是根本法",),
           "体育": ("排球垫球",), "音乐": ("中国民族音乐欣赏",), "美术": ("中国山水画",)},
}
# Strengths, problems and suggestions composed from parts, so no two notes read alike.
STRENGTHS = (("教学目标明确，", "教学环节清晰，", "情境导入自然，", "板书设计简洁，"),
             ("师生互动充分", "学生参与面广", "小组合作有分工", "提问有层次", "示范讲解到位"),
             ("，课堂气氛活跃。", "，学生思维得到训练。", "，重难点处理得当。", "，评价语言有激励性。"))
PROBLEMS = (("当堂检测时间偏少", "个别学生游离课堂", "教师讲授偏多", "小组讨论流于形式", "作业设计层次不够"),
            ("，", "；"), ("后进生关注不足。", "课堂生成处理仓促。", "时间分配前松后紧。", "信息技术运用较少。"))
SUGGESTIONS = (("留足练习和反馈时间", "增加学生展示机会", "精简讲授、突出重点", "分层设计练习", "加强课后辅导"),
               ("，", "；"), ("关注全体学生。", "及时总结提升。", "落实当堂达标。", "做好教学反思。"))
# Period starts (local time): four in the morning, three in the afternoon.
PERIOD_STARTS = (time(8, 0), time(8, 55), time(10, 0), time(10, 55), time(14, 30), time(15, 25), time(16, 20))
LESSON_MINUTES = 40


def stage_of(school: School, grade: str) -> str:
    if school.kind is SchoolKind.KINDERGARTEN:
        return "幼儿园"
    if grade in SENIOR or school.kind is SchoolKind.VOCATIONAL:
        return "高中"
    if grade in JUNIOR:
        return "初中"
    return "小学低年级" if grade in PRIMARY[:2] else "小学高年级"


def week_of(school: School, grade: str) -> dict[str, int]:
    """The subjects a class of `grade` has, and their periods a week."""
    stage = stage_of(school, grade)
    return WEEK[grade] if stage == "初中" else WEEK[stage]


def classes_for(school: School) -> list[SchoolClass]:
    """As many classes as the school counts (at least one a grade), spread over its grades; the
    school's count follows what is listed."""
    grades = GRADES.get(school.kind, PRIMARY)
    total = max(school.classes, len(grades))
    per_grade, extra = divmod(total, len(grades))
    classes = [SchoolClass(school=school, grade=grade, name=f"{n}班") for i, grade in enumerate(grades)
               for n in range(1, per_grade + (1 if i < extra else 0) + 1)]
    school.classes = len(classes)
    return classes


def teachers_for(rng: random.Random, school: School, classes: list[SchoolClass]) -> list[Teacher]:
    """A teacher for every subject the school teaches, more for the main ones as it grows."""
    subjects: dict[str, int] = {}
    for school_class in classes:
        for subject, periods in week_of(school, school_class.grade).items():
            if subject != "班会":
                subjects[subject] = subjects.get(subject, 0) + periods
    wanted = [subject for subject, periods in sorted(subjects.items()) for _ in range(max(1, min(4, periods // 40)))]
    names = rng.sample([s + g for s in SURNAMES for g in GIVEN], len(wanted))
    return [Teacher(school=school, name=name, subject=subject) for name, subject in zip(names, wanted)]


def timetable(rng: random.Random, school: School, school_class: SchoolClass) -> list[TimetableSlot]:
    week = [subject for subject, periods in week_of(school, school_class.grade).items() for _ in range(periods)]
    week = (week + week)[:35]
    rng.shuffle(week)
    return [TimetableSlot(weekday=d, period=p, subject=week[(d - 1) * 7 + p - 1]) for d in range(1, 6) for p in range(1, 8)]


def note(rng: random.Random, parts) -> str:
    return "".join(rng.choice(part) for part in parts)


def lesson_time(day: date, period: int) -> datetime:
    """When a period of `day` begins, as UTC (the county's school hours)."""
    start = datetime.combine(day, PERIOD_STARTS[period - 1], tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return start.astimezone(UTC)


def seed(rng: random.Random, schools: list[School], observers: list[User], timetables: int = 3) -> None:
    """Classes and teachers for every school, timetables for the first `timetables`, the default
    rubric, one open observation (id 1, the first observer's) and three finished ones by each observer
    in the last weeks on school days, inspectors at their own schools, a school's 中层 at theirs."""
    rubric = load_default_rubric().versions[0]
    db.session.flush()
    items = grading.dimensions(rubric)
    classes_of = {}
    for index, school in enumerate(schools):
        classes = classes_of[school] = classes_for(school)
        db.session.add_all(classes)
        db.session.add_all(teachers_for(rng, school, classes))
        if index < timetables:
            for school_class in classes:
                school_class.slots = timetable(rng, school, school_class)
    db.session.flush()
    today = date.today()
    first = observers[0]
    db.session.add(Observation(school=(first.schools or schools)[0], observer=first, version=rubric, observed_on=today,
                               period=2, class_label="一年级1班"))  # observation 1: still open
    for observer in observers:
        for n in range(3):
            school = rng.choice(observer.schools or ([observer.school] if observer.school else schools))
            day = today - timedelta(days=rng.randint(1, 40))
            day -= timedelta(days=max(0, day.weekday() - 4))  # a school day: Saturday and Sunday go back to Friday
            school_class = rng.choice(classes_of[school])
            stage = stage_of(school, school_class.grade)
            subject = rng.choice([s for s in week_of(school, school_class.grade) if s in TOPICS[stage]])
            period = rng.randint(1, 7)
            started = lesson_time(day, period)
            observation = Observation(
                school=school, observer=observer, version=rubric, observed_on=day, period=period,
                started_at=started, status=ObservationStatus.FINAL,
                finished_at=started + timedelta(minutes=LESSON_MINUTES + rng.randint(0, 10)),
                teacher_name=SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(GIVEN), subject=subject,
                school_class=school_class, class_label=school_class.label, topic=rng.choice(TOPICS[stage][subject]),
                strengths=note(rng, STRENGTHS), problems=note(rng, PROBLEMS), suggestions=note(rng, SUGGESTIONS),
                scores=[ObservationScore(item_id=item.id, points=_points(rng, item.max_points)) for item in items])
            db.session.add(observation)
            grading.regrade(observation)


def _points(rng: random.Random, max_points: Decimal) -> Decimal:
    return (max_points * rng.choice([6, 7, 8, 8, 9, 10]) / 10 * 2).quantize(Decimal(1)) / 2
