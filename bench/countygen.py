"""A county-scale dataset on top of the demo county: 270 schools, five school years of work.

    from countygen import generate   (bench scripts run with bench/ on the path)
    generate(random.Random(2026))    after seed(); commits; returns what it made

Defaults, as issue 8 sizes a county: 270 schools (the demo's 28 and 242 more, with classes and
their inspectors' 责任区), a 100-item checklist, ≈ 5,000 approved inspections with ≈ 500,000
answers, ≈ 30,000 finished observations (7 scores each), resource figures for every school part
and year, and an approved plan for every school (10 goals, 3 milestones each). Everything goes in
with bulk inserts (executemany over lists of rows), so it takes a minute or two, not an hour; bulk
inserts skip the ORM's audit hook, as an import of old records would.
"""
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from observations import generate as observations
from plans_board import generate as school_plans
from portal.demo import GROUPS, resource_figures, size
from portal.extensions import db
from portal.models import (Answer, AnswerType, ChecklistTemplate, Inspection, InspectionStatus, Item, Ownership,
                           ResourceFigures, Role, School, SchoolClass, SchoolKind, Section, TemplateVersion, User,
                           VersionStatus, inspector_school, utcnow)
from portal.observations.sample import GRADES, PRIMARY
from portal.supervision import scoring

BATCH = 5000
# The county's mix of kinds (a source county: mostly 小学 and 初中, some 九年一贯制, few of the rest).
KINDS = ([SchoolKind.PRIMARY] * 50 + [SchoolKind.JUNIOR] * 22 + [SchoolKind.NINE_YEAR] * 12 + [SchoolKind.KINDERGARTEN] * 8
         + [SchoolKind.TEACHING_POINT] * 4 + [SchoolKind.COMPLETE_SECONDARY] * 2 + [SchoolKind.SENIOR, SchoolKind.SPECIAL])
SCHOOLS_PER_INSPECTOR = 5


def _bulk(model_or_table, rows: list[dict]) -> None:
    table = getattr(model_or_table, "__table__", model_or_table)
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def schools(total: int, rng: random.Random) -> list[School]:
    """Add schools (with classes) until the county has `total`; every school ends up in an inspector's 责任区."""
    have = db.session.scalar(select(func.count()).select_from(School))
    places = [(group, town) for group, towns in GROUPS.items() if group != "高中部" for town in towns]
    rows = []
    for n in range(have + 1, total + 1):
        kind = rng.choice(KINDS)
        group, town = rng.choice(places)
        rows.append(dict(code=f"37{n:04d}", name=f"{town}第{n}{kind.value}", kind=kind, ownership=Ownership.PUBLIC,
                         township=town, education_group=group, is_project_school=rng.random() < 0.08,
                         **size(kind.name, town, rng.random()), active=True, created_at=utcnow(), updated_at=utcnow()))
    _bulk(School, rows)
    added = db.session.scalars(select(School).where(School.code.like("37%")).order_by(School.id)).all()
    _bulk(SchoolClass, [dict(school_id=s.id, grade=grade, name=f"{k}班", created_at=utcnow(), updated_at=utcnow())
                        for s in added for grade in GRADES.get(s.kind, PRIMARY)
                        for k in range(1, max(1, min(4, s.classes // len(GRADES.get(s.kind, PRIMARY)))) + 1)])
    inspectors = []
    for start in range(0, len(added), SCHOOLS_PER_INSPECTOR):
        number = len(inspectors) + 1
        inspectors.append(dict(username=f"county{number}", display_name=f"督学{number:02d}", role=Role.INSPECTOR,
                               phone="", password_hash="!", active=True, session_version=1,
                               created_at=utcnow(), updated_at=utcnow()))
    _bulk(User, inspectors)
    ids = db.session.scalars(select(User.id).where(User.username.like("county%")).order_by(User.id)).all()
    _bulk(inspector_school, [dict(user_id=ids[i // SCHOOLS_PER_INSPECTOR], school_id=s.id) for i, s in enumerate(added)])
    return db.session.scalars(select(School).order_by(School.id)).all()


def checklist(items: int = 100) -> TemplateVersion:
    """A published 综合督导 checklist of `items` items in ten sections (points, 5 each)."""
    version = TemplateVersion(number=1, status=VersionStatus.PUBLISHED, published_at=utcnow())
    per = max(1, items // 10)
    for s in range(10):
        section = Section(position=s + 1, title=f"{'一二三四五六七八九十'[s]}、评估领域{s + 1}")
        section.items = [Item(position=i + 1, text=f"评估要点 {s + 1}.{i + 1}", answer_type=AnswerType.POINTS,
                              max_points=Decimal(5)) for i in range(per)]
        version.sections.append(section)
    db.session.add(ChecklistTemplate(name="县域综合督导评估（全县规模测试）", versions=[version]))
    db.session.flush()
    return version


def inspections(count: int, years: int, rng: random.Random, version: TemplateVersion) -> tuple[int, int]:
    """`count` approved inspections over the last `years` years, every item of `version` answered."""
    items = [item.id for section in version.sections for item in section.items]
    schools = db.session.scalars(select(School.id).where(School.active)).all()
    inspectors = db.session.scalars(select(User.id).where(User.role == Role.INSPECTOR)).all()
    admin = db.session.scalar(select(User.id).where(User.role == Role.ADMIN))
    today = date.today()
    made = answers = 0
    while made < count:
        batch, values = [], []
        for _ in range(min(BATCH // 10, count - made)):
            visit = today - timedelta(days=rng.randrange(365 * years))
            at = datetime.combine(visit, time(8), tzinfo=UTC)
            given = [rng.choice((2, 3, 4, 4, 5, 5, 5)) for _ in items]  # 5 points an item: the result as submitted
            percent = (Decimal(100 * sum(given)) / (5 * len(items))).quantize(Decimal("0.1"))
            values.append(given)
            batch.append(dict(school_id=rng.choice(schools), version_id=version.id, inspector_id=rng.choice(inspectors),
                              visit_date=visit, status=InspectionStatus.APPROVED, submitted_at=at, reviewed_at=at,
                              reviewed_by_id=admin, review_comment="", created_at=at, updated_at=at, percent=percent,
                              band=scoring.band_for(percent, version.bands, below=version.below_band),
                              critical_failed=False))
        ids = db.session.scalars(insert(Inspection).returning(Inspection.id, sort_by_parameter_order=True), batch).all()
        rows = [dict(inspection_id=i, item_id=item, value=str(value), na=False, note="", revision=1, updated_at=utcnow())
                for i, given in zip(ids, values) for item, value in zip(items, given)]
        _bulk(Answer, rows)
        made, answers = made + len(ids), answers + len(rows)
    return made, answers


def resources(years: int, rng: random.Random) -> int:
    """Every school part's figures for each of the last `years` years (the demo's rule, a little
    leaner each year back)."""
    this_year = date.today().year
    rows = []
    for school in db.session.scalars(select(School)):
        for back in range(years):
            for row in resource_figures(school, this_year - back, rng):
                lean = Decimal(1 - back * 0.03)
                rows.append({**row, **{k: (v * lean).quantize(Decimal("0.1")) for k, v in row.items() if isinstance(v, Decimal)},
                             "created_at": utcnow(), "updated_at": utcnow()})
    existing = {(r.school_id, r.year, r.level) for r in db.session.scalars(select(ResourceFigures))}
    rows = [r for r in rows if (r["school_id"], r["year"], r["level"]) not in existing]
    _bulk(ResourceFigures, rows)
    return len(rows)


def plans(count: int, rng: random.Random) -> int:
    """An approved plan of the current period for every school without one (plans_board.py's
    generator: 10 goals, 3 milestones each, in every status); returns the milestones made."""
    return school_plans(count, rng)


def generate(rng: random.Random, total_schools: int = 270, years: int = 5, inspection_count: int = 5000,
             observation_count: int = 30_000, items: int = 100) -> dict:
    """The whole dataset (after portal.demo.seed()), committed. Returns the counts made."""
    schools(total_schools, rng)
    made, answers = inspections(inspection_count, years, rng, checklist(items))
    observed = 0
    this_year = date.today().year
    for back in range(years):  # each school year from September
        observed += observations(observation_count // years, this_year - 1 - back, rng)
    figures = resources(years, rng)
    milestones = plans(total_schools, rng)
    db.session.commit()
    return dict(schools=total_schools, inspections=made, answers=answers, observations=observed,
                resource_figures=figures, plan_milestones=milestones)
