"""The demo county: believable schools and people for `flask seed-demo` and the browser tests."""
import io
import math
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from PIL import Image
from flask import current_app
from sqlalchemy import select

from . import clock
from .accountability import escalation
from .auth.passwords import hash_password
from .balance import indicators
from .documents import compose, distribution
from .extensions import db
from .files import evidence
from .models import (Accountability, Answer, AnswerStatus, AnswerType, Dimension, Goal, Inspection, InspectionStatus, Level,
                     Measure, Milestone, MilestoneStatus, OrderRule, Ownership, Plan, PlanFile, PlanStep, Priority,
                     RectificationItem, ResourceFigures, ReportAnswer, ReportTask, Role, Round, RoundKind, RoundMode, School,
                     SchoolKind, SelfCheckFile, Step, TaskKind, User, Visit, milestone_rectification, utcnow)
from .observations import sample as observation_sample
from .plans import drafting, progress
from .plans import workflow as plan_workflow
from .rectification import workflow
from .rounds import planning
from .selfcheck import requests as selfcheck_requests
from .supervision.catalog import load_builtin_templates
from .supervision import sheet
from .supervision.scoring import choices
from .teams import roster
from .visits.duties import DUTIES

DEMO_PASSWORD = "dudao2026"

GROUPS = {
    "东部教育集团": ["城东街道", "河口镇", "东岗镇"],
    "南部教育集团": ["南湖街道", "白沙镇", "石桥乡"],
    "西部教育集团": ["西山镇", "柳林乡", "清水镇"],
    "北部教育集团": ["北关街道", "马庄镇", "龙泉乡"],
    "高中部": ["城东街道", "北关街道"],
}

# (name, kind, ownership, township index, project school)
SCHOOLS = {
    "东部教育集团": [
        ("城东实验小学", "PRIMARY", "PUBLIC", 0, True), ("城东第二小学", "PRIMARY", "PUBLIC", 0, False),
        ("河口镇中心小学", "PRIMARY", "PUBLIC", 1, True), ("河口镇初级中学", "JUNIOR", "PUBLIC", 1, False),
        ("东岗镇九年一贯制学校", "NINE_YEAR", "PUBLIC", 2, True), ("城东中心幼儿园", "KINDERGARTEN", "PUBLIC", 0, False),
        ("东岗镇李家湾教学点", "TEACHING_POINT", "PUBLIC", 2, False),
    ],
    "南部教育集团": [
        ("南湖小学", "PRIMARY", "PUBLIC", 0, True), ("南湖第二初级中学", "JUNIOR", "PUBLIC", 0, True),
        ("白沙镇中心小学", "PRIMARY", "PUBLIC", 1, False), ("白沙镇初级中学", "JUNIOR", "PUBLIC", 1, False),
        ("石桥乡九年一贯制学校", "NINE_YEAR", "PUBLIC", 2, False), ("育英双语学校", "NINE_YEAR", "PRIVATE", 0, False),
    ],
    "西部教育集团": [
        ("西山镇中心小学", "PRIMARY", "PUBLIC", 0, True), ("西山镇初级中学", "JUNIOR", "PUBLIC", 0, False),
        ("柳林乡中心小学", "PRIMARY", "PUBLIC", 1, False), ("清水镇九年一贯制学校", "NINE_YEAR", "PUBLIC", 2, True),
        ("清水镇中心幼儿园", "KINDERGARTEN", "PUBLIC", 2, False), ("县特殊教育学校", "SPECIAL", "PUBLIC", 0, False),
    ],
    "北部教育集团": [
        ("北关小学", "PRIMARY", "PUBLIC", 0, True), ("北关初级中学", "JUNIOR", "PUBLIC", 0, True),
        ("马庄镇中心小学", "PRIMARY", "PUBLIC", 1, False), ("马庄镇初级中学", "JUNIOR", "PUBLIC", 1, False),
        ("龙泉乡九年一贯制学校", "NINE_YEAR", "PUBLIC", 2, False), ("启明民办小学", "PRIMARY", "PRIVATE", 0, False),
    ],
    "高中部": [
        ("县第一中学", "SENIOR", "PUBLIC", 0, False), ("县第二中学", "COMPLETE_SECONDARY", "PUBLIC", 1, False),
        ("县职业中等专业学校", "VOCATIONAL", "PUBLIC", 0, False),
    ],
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["建国", "海燕", "志强", "丽华", "文杰", "晓明", "秀英", "国庆", "春梅", "振华", "雪峰", "玉兰", "立新", "红霞", "德明"]

INSPECTORS = [("duxue1", "周正清"), ("duxue2", "吴慧敏"), ("duxue3", "郑国华"), ("duxue4", "孙雅琴"), ("duxue5", "钱文博"), ("duxue6", "冯立群")]
LEADERS = [("juzhang", "何志远", "局长"), ("fenguan", "许丽萍", "分管副局长")]
# A school's 中层 (学校中层): (school code, username prefix, name, post).
STAFF = [("360001", "jd", "罗晓红", "教导主任"), ("360001", "jy", "陈立平", "数学教研组长"), ("360008", "jd", "高文涛", "教导主任")]

# The county seat's 街道, the towns (镇), the villages (乡): a township's place is the end of its name.
PLACES = ("街道", "镇", "乡")
# Each kind's size by place, as in a real county: the county seat's schools the largest and their classes the
# fullest (within the plans' 45 a class in 小学, 50 in 初中), the towns' middling, the villages' small.
# Per place (街道, 镇, 乡): the students range and students per class.
SIZES = {
    "KINDERGARTEN": ((330, 480, 32), (180, 280, 28), (60, 130, 22)),
    "PRIMARY": ((1400, 2000, 45), (650, 1200, 40), (200, 480, 30)),
    "JUNIOR": ((1300, 1900, 50), (600, 1150, 46), (250, 500, 40)),
    "NINE_YEAR": ((1700, 2400, 45), (850, 1500, 42), (320, 700, 36)),
    "SENIOR": ((2400, 3200, 50), (1500, 2300, 50), (900, 1350, 48)),
    "COMPLETE_SECONDARY": ((1800, 2600, 50), (1200, 1650, 48), (700, 1050, 45)),
    "TEACHING_POINT": ((30, 48, 16), (20, 45, 15), (10, 35, 12)),
    "SPECIAL": ((60, 120, 10),) * 3,
    "VOCATIONAL": ((800, 1800, 45),) * 3,
}
# Students per teacher (生师比), and teachers a class needs at least: a small school still teaches every
# subject. Enough that a school's 优质均衡 teacher figures (at most 1.5 × their thresholds) fit in its staff.
STAFFING = {
    "KINDERGARTEN": (15, 2), "PRIMARY": (15, 1.8), "JUNIOR": (12, 3), "NINE_YEAR": (13.5, 2.3), "SENIOR": (12, 3.2),
    "COMPLETE_SECONDARY": (12, 3.2), "TEACHING_POINT": (10, 1.5), "SPECIAL": (4, 2), "VOCATIONAL": (16, 2.5),
}
# The range each school's first draw is made over, as the demo always drew it (so the draws after it, the
# inspections, rankings and circular, stay as they were); only where the draw falls in it is used.
DRAWN = {"KINDERGARTEN": (180, 420), "PRIMARY": (300, 1900), "JUNIOR": (400, 1600), "NINE_YEAR": (500, 2300),
         "SENIOR": (1500, 3000), "COMPLETE_SECONDARY": (1200, 2400), "TEACHING_POINT": (20, 45), "SPECIAL": (60, 120),
         "VOCATIONAL": (800, 1800)}


def place_of(township: str) -> str:
    return next(place for place in PLACES if township.endswith(place))


def size(kind: str, township: str, position: float) -> dict:
    """A school's students, classes and teachers: `position` (0 to 1) within its kind's range at its place."""
    low, high, per_class = SIZES[kind][PLACES.index(place_of(township))]
    students = round(low + position * (high - low))
    classes = math.ceil(students / per_class)
    ratio, per_class_teachers = STAFFING[kind]
    return dict(students=students, classes=classes,
                teachers=max(round(students / ratio), math.ceil(classes * per_class_teachers)))


def seed(rng: random.Random | None = None) -> bool:
    """Create the demo county. False (and nothing done) when the database already has schools."""
    if db.session.scalar(select(School.id).limit(1)) is not None:
        return False
    rng = rng or random.Random(2026)
    password = hash_password(DEMO_PASSWORD)
    schools: list[School] = []
    n = 0
    for group, entries in SCHOOLS.items():
        for name, kind, ownership, town, project in entries:
            n += 1
            low, high = DRAWN[kind]
            position = (rng.randint(low, high) - low) / (high - low)
            schools.append(School(
                code=f"36{n:04d}", name=name, kind=SchoolKind[kind], ownership=Ownership[ownership],
                township=GROUPS[group][town], education_group=group, is_project_school=project,
                **size(kind, GROUPS[group][town], position),
            ))
    db.session.add_all(schools)
    db.session.add(User(username="admin", display_name="督导室管理员", role=Role.ADMIN, phone="0791-8888001", password_hash=password))
    for i, (username, name) in enumerate(INSPECTORS):
        db.session.add(User(
            username=username, display_name=name, role=Role.INSPECTOR, password_hash=password,
            phone=f"1390791{i:04d}", schools=schools[i * 5:(i + 1) * 5],
        ))
    for username, name, title in LEADERS:
        db.session.add(User(username=username, display_name=f"{name}（{title}）", role=Role.LEADER, password_hash=password))
    templates = load_builtin_templates()
    for i, school in enumerate(schools):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        db.session.add(User(
            username=f"xz{school.code}", display_name=name, role=Role.PRINCIPAL, school=school,
            phone=f"1380791{i:04d}", password_hash=password,
        ))
    by_code = {school.code: school for school in schools}
    for code, prefix, name, post in STAFF:
        db.session.add(User(username=f"{prefix}{code}", display_name=f"{name}（{post}）", role=Role.STAFF,
                            school=by_code[code], password_hash=password))
    db.session.flush()
    _inspections(rng, templates, schools)
    _round(templates, schools)
    _rectification(schools)
    _duban(schools)
    _last_term_round(templates, schools)
    finished = _finished_round(rng, templates, schools)
    _circular(finished)
    observers = db.session.scalars(select(User).where(User.role.in_([Role.LEADER, Role.INSPECTOR, Role.STAFF]))
                                   .order_by(User.role, User.username)).all()
    observation_sample.seed(rng, schools, observers)
    _resources(schools)
    _plans(schools)
    _self_checks(rng)
    _report_tasks(schools)
    _visits(rng)
    _team(templates, schools)
    return True


def _report_tasks(schools) -> None:
    """A 报送 form task to the 公办强校 project schools, due in a week: one school has handed in, one was
    sent back with the office's comment, the others have not answered yet."""
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    project = [school for school in schools if school.is_project_school]
    task = ReportTask(
        title="公办强校项目学校2026年秋季学期工作进展", kind=TaskKind.FORM, due_date=clock.today() + timedelta(days=7),
        instructions="请各项目学校如实填写本学期工作进展，截止日期前报回督导室。", audience="公办强校项目学校",
        created_by_id=admin.id, questions=[
            {"label": "本学期开展校本教研次数", "type": "number"},
            {"label": "三年规划本学期里程碑是否按期完成", "type": "choice", "choices": ["全部完成", "部分完成", "未完成"]},
            {"label": "存在的主要困难", "type": "text"}],
        answers=[ReportAnswer(school=school) for school in project])
    handed_in = {"1": "6", "2": "部分完成", "3": "骨干教师外出培训多，校本教研时间难以保证。"}
    task.answers[0].values, task.answers[0].status, task.answers[0].submitted_at = handed_in, AnswerStatus.SUBMITTED, utcnow()
    task.answers[1].values, task.answers[1].status = {"1": "2", "2": "全部完成", "3": "无"}, AnswerStatus.RETURNED
    task.answers[1].returned_at, task.answers[1].return_comment = utcnow(), "校本教研次数与教研记录不符，请核实后重新填报"
    db.session.add(task)


def _round(templates, schools) -> None:
    """A random round under way: eight 义务教育 schools and their inspectors drawn openly (双随机)."""
    today = date.today()
    supervision_round = Round(name=f"{today.year} 年五项管理随机督导", kind=RoundKind.RANDOM, mode=RoundMode.PROCESS,
                              version=templates[2].versions[0], starts_on=today - timedelta(days=7),
                              ends_on=today + timedelta(days=21), notes="双随机：随机抽取学校，随机选派督学，不派往本人责任区。")
    # The 义务教育 schools the 五项管理 checklist fits, 教学点 left out (the round form's defaults).
    pool = dict(kinds=planning.COMPULSORY, template=supervision_round.version.template, skip_teaching_points=True)
    supervision_round.school_draw, picked = planning.draw_schools(
        f"{supervision_round.name} 学校", planning.candidates(**pool).schools, 8, planning.in_words(**pool))
    inspectors = db.session.scalars(select(User).where(User.role == Role.INSPECTOR).order_by(User.username)).all()
    for a in planning.assign(supervision_round.name, picked, inspectors, at_random=True, exclude_own_zone=True):
        supervision_round.inspections.append(Inspection(
            school=a.school, version=supervision_round.version, inspector=a.inspector, inspector_draw=a.draw,
            visit_date=supervision_round.starts_on))
    db.session.add(supervision_round)


def _self_checks(rng: random.Random) -> None:
    """The random round under way asks its schools to check themselves (学校自查) a few days before their visits;
    the first has handed in its answers (a little kinder to itself than an inspector would be) and its report."""
    supervision_round = db.session.scalar(select(Round).where(Round.kind == RoundKind.RANDOM))
    today = date.today()
    checks = selfcheck_requests.ask_round(supervision_round, today + timedelta(days=5), today=today - timedelta(days=7),
                                          requested_by_id=None)
    db.session.flush()
    first = checks[0]
    first.inspection.answers = _answers(rng, supervision_round.version, 1)
    principal = db.session.scalar(select(User).where(User.school_id == first.school_id, User.role == Role.PRINCIPAL))
    first.files.append(SelfCheckFile(client_key="demo-self-check-report", attachment=evidence.stored(
        _demo_report(first.school.name), "自查报告.pdf", school_id=first.school_id, user_id=principal.id)[0]))
    first.inspection.submitted_at = datetime.combine(today - timedelta(days=1), time(16), tzinfo=UTC)
    first.inspection.status = InspectionStatus.SUBMITTED
    db.session.flush()
    sheet.record_result(first.inspection)


def _demo_report(school: str) -> bytes:
    """A one-page PDF standing in for a school's written 自查报告."""
    text = f"{school} self-inspection report (demo)".encode()
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n"
            b"4 0 obj << /Length " + str(len(text) + 30).encode() + b" >> stream\nBT /F1 12 Tf 72 770 Td (" + text
            + b") Tj ET\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _answers(rng: random.Random, version, share: float) -> list[Answer]:
    """Answers to the first `share` of the items, met (so no evidence is owed), a few short of full marks."""
    items = [item for section in version.sections for item in section.items]
    answers = []
    for item in items[:round(len(items) * share)]:
        if item.answer_type is AnswerType.POINTS:
            points = (item.max_points * rng.choice([7, 8, 9, 10, 10]) / 10).quantize(Decimal("0.1"))
            value = f"{points.normalize():f}"
        else:
            value = choices(item.answer_type)[rng.choice([0, 0, 1]) if item.answer_type is not AnswerType.YES_NO else 0]
        answers.append(Answer(item=item, value=value, note=""))
    return answers


def _inspections(rng: random.Random, templates, schools) -> None:
    """A draft (id 1), submitted and approved inspections by the first three inspectors."""
    comprehensive, _, five_rules, routine, kindergarten = (t.versions[0] for t in templates)
    inspectors = db.session.scalars(select(User).where(User.role == Role.INSPECTOR).order_by(User.username)).all()
    today = date.today()
    plan = [(0, 2, routine, InspectionStatus.DRAFT, 0.5, 1), (0, 0, comprehensive, InspectionStatus.APPROVED, 1, 20),
            (0, 1, five_rules, InspectionStatus.SUBMITTED, 1, 6), (1, 5, kindergarten, InspectionStatus.APPROVED, 1, 14),
            (1, 6, five_rules, InspectionStatus.APPROVED, 1, 9), (2, 10, comprehensive, InspectionStatus.SUBMITTED, 1, 3)]
    for who, school, version, status, share, days_ago in plan:
        done = status is not InspectionStatus.DRAFT
        visit = today - timedelta(days=days_ago)
        at = datetime.combine(visit, time(9), tzinfo=UTC)
        inspection = Inspection(
            school=schools[school], version=version, inspector=inspectors[who], visit_date=visit, status=status,
            answers=_answers(rng, version, share), submitted_at=at if done else None,
            reviewed_at=at if status is InspectionStatus.APPROVED else None,
            review_comment="材料齐全，同意。" if status is InspectionStatus.APPROVED else "",
        )
        db.session.add(inspection)
        db.session.flush()  # ids in plan order: the draft is inspection 1
        if done:
            sheet.record_result(inspection)


# The demo's 督导组: (组长, 组员 with the sections of the comprehensive checklist each fills, by position).
TEAM_SCHOOL = "清水镇九年一贯制学校"
TEAM = ("duxue4", {"duxue5": (0, 1), "duxue6": (2, 3)})


def _team(templates, schools) -> None:
    """A 督导组 at work today at 清水镇九年一贯制学校 (a project school in the 组长's 责任区) on the comprehensive
    checklist: 孙雅琴 leads, 钱文博 has filled his two sections and marked them 已完成, 冯立群 is halfway
    through hers, and the 组长 has begun the sections she kept. Its own random stream and made last: the rest
    of the demo (its ids too) stays as it was."""
    rng = random.Random(4)
    version = templates[0].versions[0]
    school = next(s for s in schools if s.name == TEAM_SCHOOL)
    leader_name, parts = TEAM
    people = {user.username: user for user in db.session.scalars(
        select(User).where(User.username.in_([leader_name, *parts])))}
    leader = people[leader_name]
    inspection = Inspection(school=school, version=version, inspector=leader, visit_date=clock.today())
    roster.set_team(inspection, leader.id, [people[name].id for name in parts])
    db.session.add(inspection)
    db.session.flush()
    members = {member.user.username: member for member in inspection.members}
    roster.assign(inspection, {version.sections[index].id: members[name].id
                               for name, indexes in parts.items() for index in indexes})
    roster.mark_done(members["duxue5"], True)
    items = [item for section in version.sections for item in section.items]
    graded = {answer.item.id: answer for answer in _graded(rng, items, school) if not answer.na}
    given = {index for indexes in parts.values() for index in indexes}
    kept = [section for index, section in enumerate(version.sections) if index not in given]  # the 组长's
    filled = [(people["duxue5"], version.sections[index].items) for index in parts["duxue5"]]
    filled += [(people["duxue6"], version.sections[parts["duxue6"][0]].items)]  # one of her two sections
    filled += [(leader, kept[0].items[:2])]
    for who, section_items in filled:
        for item in section_items:
            if item.id in graded:
                graded[item.id].updated_by_id = who.id
                inspection.answers.append(graded[item.id])


# What inspectors wrote beside an item they found not met, by the item's place in the comprehensive checklist.
SHORTFALLS = {
    1: ("校务会议记录缺少近两个月内容。", "教代会未按期召开，无会议纪要。"),
    4: ("课表中综合实践课被语文、数学占用。", "八年级信息科技课未按课表开设。"),
    5: ("抽查三个班作业，批改不及时，无订正。", "部分教师教案为旧教案，无二次备课。", "作业总量无统筹，公示栏未更新。"),
    6: ("集体备课记录流于形式，无研讨过程。", "本学期校本教研仅开展一次。"),
    7: ("东侧围墙监控损坏，门卫登记不全。", "二楼消防栓水带缺失。"),
    8: ("食堂留样记录缺少两餐次。", "学生宿舍卫生较差，被褥未定期晾晒。", "直饮水机滤芯超期未换。"),
    11: ("校长听课记录本学期仅三节。", "中层干部听课无评课记录。"),
    13: ("大课间活动时间不足，体育课被占用。", "下午未安排课外体育活动。"),
    14: ("课后服务参与率不足六成。", "课后服务以写作业为主，缺少兴趣活动。"),
}


UNRANKED_KINDS = (SchoolKind.TEACHING_POINT, SchoolKind.SPECIAL, SchoolKind.VOCATIONAL)  # no comprehensive round


def _graded(rng: random.Random, items, school: School) -> list[Answer]:
    """A school's answers to every item of the comprehensive checklist, a few short with a note."""
    weakness = rng.choice([0, 0.05, 0.1, 0.15, 0.25])
    answers = []
    for position, item in enumerate(items, start=1):
        if school.kind.name in item.na_kinds:  # 课后服务 at the 高中: recorded as not applicable
            answers.append(Answer(item=item, value=None, na=True, note=""))
            continue
        # A critical (一票否决) item falls short at a few schools only, as in a real county.
        short = position in SHORTFALLS and rng.random() < weakness * (0.5 if item.critical else 2)
        share = rng.choice([0.3, 0.4, 0.5]) if short else rng.choice([0.7, 0.8, 0.8, 0.9, 0.9, 1, 1])
        points = (item.max_points * Decimal(str(share)) * 2).quantize(Decimal(1)) / 2
        answers.append(Answer(item=item, value=f"{points.normalize():f}",
                              note=rng.choice(SHORTFALLS[position]) if short else ""))
    return answers


def _last_term_round(templates, schools) -> None:
    """Last semester's 期末督导 on the same checklist at the same schools, approved: the round the
    finished one's ranking compares with (名次升降). Its own random stream: the rest of the demo
    stays as it was."""
    rng = random.Random(2025)
    version = templates[0].versions[0]
    term = clock.semester(date.today()).previous()
    spring = "春季" if term.term == 2 else "秋季"
    supervision_round = Round(name=f"{term.start.year}年{spring}学期期末综合督导", kind=RoundKind.COMPREHENSIVE,
                              mode=RoundMode.TERM_END,
                              version=version, starts_on=term.end - timedelta(days=60),
                              ends_on=term.end - timedelta(days=30), notes="学期末对各校开展综合督导。")
    inspectors = db.session.scalars(select(User).where(User.role == Role.INSPECTOR).order_by(User.username)).all()
    items = [item for section in version.sections for item in section.items]
    for n, school in enumerate(s for s in schools if version.template.fits(s.kind) and s.kind not in UNRANKED_KINDS):
        visit = supervision_round.starts_on + timedelta(days=n % 25)
        at = datetime.combine(visit, time(9), tzinfo=UTC)
        supervision_round.inspections.append(Inspection(
            school=school, version=version, inspector=inspectors[n % len(inspectors)], visit_date=visit,
            status=InspectionStatus.APPROVED, answers=_graded(rng, items, school), submitted_at=at, reviewed_at=at,
            review_comment="同意。"))
    db.session.add(supervision_round)
    db.session.flush()
    for inspection in supervision_round.inspections:
        sheet.record_result(inspection)


def _finished_round(rng: random.Random, templates, schools) -> None:
    """A comprehensive round finished two weeks ago: every 中小学 inspected by its own 责任督学
    (or in turn), approved, a few items not met with the inspector's note (the circular's material)."""
    version = templates[0].versions[0]
    today = date.today()
    supervision_round = Round(name=f"{today.year}年秋季学期学校综合督导", kind=RoundKind.COMPREHENSIVE, mode=RoundMode.TERM_END,
                              version=version,
                              starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=12),
                              notes="责任督学对所联系学校开展综合督导，逐校反馈。")
    inspectors = db.session.scalars(select(User).where(User.role == Role.INSPECTOR).order_by(User.username)).all()
    zone = {school.id: inspector for inspector in inspectors for school in inspector.schools}
    items = [item for section in version.sections for item in section.items]
    picked = [s for s in schools if version.template.fits(s.kind) and s.kind not in UNRANKED_KINDS]
    for n, school in enumerate(picked):
        answers = _graded(rng, items, school)
        visit = supervision_round.starts_on + timedelta(days=n % 25)
        at = datetime.combine(visit, time(9), tzinfo=UTC)
        supervision_round.inspections.append(Inspection(
            school=school, version=version, inspector=zone.get(school.id, inspectors[n % len(inspectors)]),
            visit_date=visit, status=InspectionStatus.APPROVED, answers=answers, submitted_at=at, reviewed_at=at,
            review_comment="同意。"))
    db.session.add(supervision_round)
    db.session.flush()
    for inspection in supervision_round.inspections:
        sheet.record_result(inspection)
    return supervision_round


def _circular(finished: Round) -> None:
    """The finished round's circular, as the engine drafts it, issued a week ago (the year's first
    number) without making rectification items (the demo keeps its five, one in each state; a
    circular the office issues from the round makes them); two thirds of the schools have signed
    for it, the rest are still to."""
    config = current_app.config
    today = date.today()
    document = compose.drafted(finished, config["DOC_ISSUER"], config["DOC_ADDRESSEE"], config["DOC_CC"],
                               today + timedelta(days=23))
    document.create_items = False
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    db.session.add(document)
    issued = datetime.combine(today - timedelta(days=7), time(2), tzinfo=UTC)  # 10:00 in Beijing
    distribution.issue(document, prefix=config["DOC_NUMBER_PREFIX"], issuer=config["DOC_ISSUER"], actor_id=admin.id,
                       now=issued, today=today - timedelta(days=7))
    principals = {user.school_id: user for user in db.session.scalars(select(User).where(User.role == Role.PRINCIPAL))}
    for n, recipient in enumerate(document.recipients):
        if n % 3 and recipient.school_id in principals:
            # signed for over the next days, in office hours (10:00 to 15:00 in Beijing)
            distribution.acknowledge(recipient, principals[recipient.school_id],
                                     issued + timedelta(days=n // 6, hours=n % 6))


# (school index, problem, requirement, due in days from today, priority, steps taken: (step, comment))
RECTIFICATION = [
    (0, "功能室使用记录不全，科学实验室近两月无使用登记。", "建立功能室使用登记制度，按课表开放并如实登记。", -5, "IMPORTANT", []),
    (0, "校门口护栏破损，上下学时段存在安全隐患。", "一周内修复护栏，完善上下学时段护导安排。", 3, "URGENT", []),
    (1, "作业公示栏未按周更新。", "每周一更新各班作业公示，留存照片备查。", 10, "NORMAL",
     [(Step.SUBMIT, "已安排教务处每周一更新公示栏，附近三周照片。")]),
    (2, "食堂留样记录缺少两餐次。", "严格执行留样 48 小时制度，专人登记。", 12, "IMPORTANT",
     [(Step.SUBMIT, "已补充留样柜并指定专人负责。"), (Step.RETURN, "请附上近一周的留样登记表照片。")]),
    (5, "课后服务家长告知书未全覆盖。", "向全体家长发放告知书并回收回执。", -20, "NORMAL",
     [(Step.SUBMIT, "已发放告知书并回收全部回执。"), (Step.CLOSE, "回执齐全，同意销号。")]),
]


# 督办: a school that let two items lapse. The daily run sent a 督办通知 for each once it was
# DUBAN_NOTICE_DAYS overdue, the older one is before the leaders, and the office has talked to the
# principal (约谈): the 问责 page and the leaders' home have something to show.
LAPSED_SCHOOL = 10  # 白沙镇初级中学 (郑国华's)
LAPSED = [
    ("实验室危险化学品未建立台账，存放不规范。", "建立危险化学品台账，实行双人双锁管理。", -40, "URGENT"),
    ("学生欺凌防治未建立每月排查台账。", "建立每月排查制度和台账，班主任签字。", -12, "IMPORTANT"),
]


def _duban(schools) -> None:
    school = schools[LAPSED_SCHOOL]
    inspector = db.session.scalar(select(User).where(User.role == Role.INSPECTOR, User.schools.contains(school))
                                  .order_by(User.username).limit(1))
    office = db.session.scalar(select(User).where(User.username == "admin"))
    today = clock.today()
    items = [workflow.create(RectificationItem(
        school=school, problem=problem, requirement=requirement, due_date=today + timedelta(days=days),
        priority=Priority[priority], inspector_id=inspector.id), actor_id=inspector.id)
        for problem, requirement, days, priority in LAPSED]
    db.session.flush()
    for item in items:
        for rule in OrderRule:
            found = item.due_date + timedelta(days=escalation.threshold(rule))  # the day the daily run found it
            if found <= today:
                order = escalation.order(item, rule, found)
                if order.document is not None:  # issued at 08:30 in Beijing that morning
                    issued = datetime.combine(found, time(0, 30), tzinfo=UTC)
                    order.document.issued_at = order.document.recipients[0].delivered_at = issued
    db.session.add(Accountability(
        school=school, measure=Measure.TALK, taken_on=today - timedelta(days=3), recorded_by_id=office.id, items=items[:1],
        reason="督办通知期限已过仍未整改，局分管领导约谈校长，要求两周内完成并书面报告。"))


def _rectification(schools) -> None:
    """A few items in every state: overdue, due soon, awaiting verification, returned, closed."""
    inspectors = db.session.scalars(select(User).where(User.role == Role.INSPECTOR).order_by(User.username)).all()
    principals = {user.school_id: user for user in db.session.scalars(select(User).where(User.role == Role.PRINCIPAL))}
    today = date.today()
    for index, problem, requirement, days, priority, steps in RECTIFICATION:
        school, inspector = schools[index], inspectors[index // 5]
        item = workflow.create(RectificationItem(
            school=school, problem=problem, requirement=requirement, due_date=today + timedelta(days=days),
            priority=Priority[priority], inspector_id=inspector.id), actor_id=inspector.id)
        for step, comment in steps:
            actor = principals[school.id] if step is Step.SUBMIT else inspector
            workflow.apply(item, step, actor_id=actor.id, comment=comment)


# 优质均衡: this year's resource figures. Every school part reaches every threshold (each figure a
# multiple of it) but the junior schools' sports grounds, which spread wide: the county seat's are
# cramped (below 10.2 ㎡ per student, above 85 % of it), the towns' fields large, the villages' larger
# still for their few pupils. So the county narrowly misses one coefficient, 初中 体育场馆 above 0.45;
# more ground at 南湖第二初级中学, the biggest of the cramped ones, would close it (try it in the what-if).
# Tuned to the demo's school sizes (a resized school weighs differently): test_demo.py checks the story.
SPORTS_JUNIOR = {"街道": (0.86, 0.89), "镇": (1.6, 2.4), "乡": (3.0, 3.4)}  # × 10.2 ㎡ per student
JUNIOR_SHARE = {SchoolKind.NINE_YEAR: 0.4, SchoolKind.COMPLETE_SECONDARY: 0.45}  # of a school's students


def resource_figures(school, year: int, rng: random.Random) -> list[dict]:
    """A school's figures for a year, one row (as ResourceFigures columns) per part."""
    rows = []
    for level in indicators.levels_of(school.kind):
        share = JUNIOR_SHARE.get(school.kind)
        students = school.students if share is None else round(school.students * share)
        if share is not None and level is Level.PRIMARY:  # the rest: the parts add up to the school
            students = school.students - students
        row = dict(school_id=school.id, year=year, level=level, students=students)
        for indicator in indicators.INDICATORS:
            factor = rng.uniform(1.05, 1.5)
            if indicator.key == "sports_area" and level is Level.JUNIOR:
                factor = rng.uniform(*SPORTS_JUNIOR[place_of(school.township)])
            amount = float(indicator.thresholds[level]) * factor * students / indicator.scale
            if indicator.whole:  # people and rooms, rounded up: a small school one teacher short would fail
                row[indicator.key] = math.ceil(amount)
            elif indicator.key == "equipment_value":
                row[indicator.key] = round(amount)
            else:
                row[indicator.key] = Decimal(f"{amount:.1f}")
        rows.append(row)
    return rows


def _resources(schools) -> None:
    rng = random.Random(85)  # its own: the other demo data stay as they were
    year = clock.today().year
    db.session.add_all(ResourceFigures(**row) for school in schools for row in resource_figures(school, year, rng))


# Per dimension: a goal and its three milestones, one a year (title, owner, measurable result).
PLAN_GOALS = {
    "DIRECTION": ("完善党组织领导的校长负责制，办学理念在教职工和家长中形成共识", [
        ("修订学校章程和“三重一大”议事规则", "校长办公室", "章程经教代会通过并报备"),
        ("办学理念宣讲覆盖全体教职工和家长", "党支部", "宣讲 6 场，家长知晓率≥90%"),
        ("形成学校文化建设成果", "党支部", "校园文化手册一册，文化长廊建成")]),
    "CONDUCT": ("作业、睡眠、手机、读物、体质“五项管理”全面规范到位", [
        ("建立作业公示和总量监测制度", "教务处", "各班每周公示，监测台账完整"),
        ("课后服务“5+2”全覆盖", "教务处", "参与率≥90%，家长满意度≥95%"),
        ("五项管理专项督导无问题", "校长办公室", "督导反馈无整改项")]),
    "MANAGEMENT": ("建立年级组—教研组双线管理，制度汇编修订完成", [
        ("完成学校制度汇编修订", "校长办公室", "制度汇编一册，教代会通过"),
        ("推行年级组负责制", "德育处", "年级组考核方案实施一学期"),
        ("管理规范化通过县级验收", "校长办公室", "验收等级良好以上")]),
    "TEACHING": ("形成“学为中心”的课堂模式，学业质量进入全县前列", [
        ("完成课堂教学模式方案并在各学科试点", "教务处", "试点课 40 节，案例集一册"),
        ("全员推门听课达标", "教务处", "人均听评课≥20 节"),
        ("学业质量监测进入全县前三分之一", "教务处", "县质量监测排名报告")]),
    "RESEARCH": ("以课题带教研，建成校本教研制度", [
        ("立项市级课题 1 项", "教科室", "立项通知书"),
        ("课题中期报告并开展成果推广", "教科室", "中期报告、公开课 3 节"),
        ("课题结题并形成校本课程", "教科室", "结题证书、校本课程 2 门")]),
    "GROUP": ("带动成员校共享课程与师资，开展联合教研", [
        ("与成员校签订共建协议", "校长办公室", "协议一份，联合教研计划"),
        ("每学期联合教研不少于 4 次", "教科室", "活动记录和照片"),
        ("成员校教学质量提升", "教务处", "成员校质量监测提升 5 个百分点")]),
    "TEACHERS": ("骨干教师占比提升到 20%，青年教师三年内全部过关", [
        ("制定青年教师“青蓝工程”结对方案", "教科室", "结对 18 对，方案一份"),
        ("新增县级以上骨干教师 4 名", "校长办公室", "认定文件"),
        ("骨干教师占比达到 20%", "校长办公室", "教师名册统计")]),
    "STUDENTS": ("体质健康达标率≥98%，心理健康教育全覆盖", [
        ("开齐开足体育课，落实大课间", "体卫艺处", "课表和大课间记录"),
        ("建成心理辅导室并配专职教师", "德育处", "辅导室验收，专职教师 1 名"),
        ("体质健康达标率达到 98%", "体卫艺处", "体测数据上报表")]),
    "EVALUATION": ("建立学生综合素质评价和教师发展性评价体系", [
        ("制定学生综合素质评价方案", "德育处", "方案一份，试行一学期"),
        ("上线学生成长记录平台", "教务处", "平台使用率≥95%"),
        ("评价体系形成年度报告", "校长办公室", "年度评价报告")]),
}


VISIT_NOTES = [
    ("查看了校门值守和食堂留样记录，制度执行到位。", "继续保持，节假日前开展一次安全隐患自查。"),
    ("随堂查看课表执行情况，音体美课程按课表开设。", ""),
    ("抽查两个班的作业量，个别班级书面作业偏多。", "落实作业公示制度，控制书面作业总量。"),
    ("走访家长反映的放学接送拥堵问题，已与交警中队对接。", "完善错峰放学方案并向家长公布。"),
]


def _visits(rng: random.Random) -> None:
    """Each 责任督学's visits this semester: most schools visited on time, a few behind or long unvisited
    (the homes show them as due)."""
    today = clock.today()
    term = clock.semester(today)
    for inspector in db.session.scalars(select(User).where(User.role == Role.INSPECTOR).order_by(User.username)):
        for n, school in enumerate(inspector.schools):
            if n == len(inspector.schools) - 1:
                continue  # the last school of each 责任区: not visited yet this semester
            day, step = term.start + timedelta(days=rng.randint(3, 10)), rng.randint(24, 34) + 6 * (n % 2)
            while day <= today - timedelta(days=3):
                findings, suggestions = VISIT_NOTES[rng.randrange(len(VISIT_NOTES))]
                duties = rng.sample(list(DUTIES), 3)
                db.session.add(Visit(school=school, inspector=inspector, visited_on=day, findings=findings,
                                     suggestions=suggestions, checked=[d for d in DUTIES if d in duties],
                                     created_by_id=inspector.id))
                day += timedelta(days=step)


def _demo_photo(school_id: int, user_id: int, colour) -> tuple:
    out = io.BytesIO()
    Image.new("RGB", (96, 72), colour).save(out, "JPEG")
    return evidence.stored(out.getvalue(), "佐证照片.jpg", school_id=school_id, user_id=user_id)


def _plans(schools) -> None:
    """Plans of the current period: approved and under way at 城东实验小学 (a late milestone, a missed
    one, a revision, evidence), submitted at 河口镇中心小学 (duxue1 reviews), a draft at 东岗镇."""
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    reviewer = db.session.scalar(select(User).where(User.username == "duxue1"))
    principals = {user.school_id: user for user in db.session.scalars(select(User).where(User.role == Role.PRINCIPAL))}
    today = date.today()
    start = progress.school_year(today) - 1  # the current plans are in their second year

    def made(school, dimensions, *, status="DRAFT") -> Plan:
        plan = plan_workflow.create(Plan(school=school, start_year=start,
                                         title=drafting.default_title(school.name, start)),
                                    actor_id=principals[school.id].id)
        terms = [clock.Semester(start, 2), clock.Semester(start + 1, 2), clock.Semester(start + 2, 2)]
        for name in dimensions:
            text, steps = PLAN_GOALS[name]
            goal = Goal(dimension=Dimension[name], text=text)
            for (title, owner, result), term in zip(steps, terms):
                goal.milestones.append(Milestone(title=title, owner=owner, result=result, term=term.code,
                                                 due_date=term.end))
            plan.goals.append(goal)
        db.session.flush()
        if status != "DRAFT":
            plan_workflow.apply(plan, PlanStep.SUBMIT, actor_id=principals[school.id].id)
        if status == "APPROVED":
            plan_workflow.apply(plan, PlanStep.APPROVE, actor_id=admin.id, comment="目标明确，里程碑可检验，同意。")
        return plan

    running = made(schools[0], PLAN_GOALS, status="APPROVED")
    principal = principals[schools[0].id]
    late_year_two = today - timedelta(days=12)
    for goal in running.goals:
        first, second, _ = goal.milestones
        if goal.dimension is Dimension.RESEARCH:
            plan_workflow.record_update(first, MilestoneStatus.IN_PROGRESS, "申报材料已提交，等待市里评审。",
                                        actor_id=principal.id, today=first.due_date - timedelta(days=60))
        elif goal.dimension is Dimension.GROUP:
            plan_workflow.record_update(first, MilestoneStatus.NOT_MET, "成员校调整，协议推迟到下一学年签订。",
                                        actor_id=principal.id, today=first.due_date)
        else:
            attachment, thumbnail = _demo_photo(schools[0].id, principal.id, (90, 140, 60))
            first.files.append(PlanFile(client_key=f"demo-{goal.dimension.name}", attachment=attachment, thumbnail=thumbnail))
            plan_workflow.record_update(first, MilestoneStatus.DONE, "已完成，材料见佐证。", actor_id=principal.id,
                                        today=first.due_date - timedelta(days=20))
        if goal.dimension is Dimension.TEACHING:  # moved forward by a revision, and now late
            changes = drafting.change_milestone(second, {"due_date": late_year_two, "term": None}, {"due_date": "完成时间"})
            plan_workflow.revise(running, changes, actor_id=principal.id, reason="县教研室统一安排推门听课达标检查，提前完成。")
            plan_workflow.record_update(second, MilestoneStatus.IN_PROGRESS, "已完成 14 节，还差 6 节。",
                                        actor_id=principal.id, today=today)
        elif goal.dimension is Dimension.MANAGEMENT:
            plan_workflow.record_update(second, MilestoneStatus.IN_PROGRESS, "初一、初二年级已试行。",
                                        actor_id=principal.id, today=today)
    db.session.flush()
    rectification = db.session.scalar(select(RectificationItem.id).where(RectificationItem.school_id == schools[0].id)
                                      .order_by(RectificationItem.id))
    management = next(g for g in running.goals if g.dimension is Dimension.MANAGEMENT)
    db.session.execute(milestone_rectification.insert().values(rectification_id=rectification,
                                                                milestone_id=management.milestones[0].id))
    submitted = made(schools[2], PLAN_GOALS, status="SUBMITTED")
    submitted.reviewer = reviewer
    made(schools[4], ["DIRECTION", "CONDUCT", "TEACHING"])
