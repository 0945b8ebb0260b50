"""一校一规划 at county scale: 270 schools, each with an approved plan of 10 goals over the nine
dimensions and 3 milestones a goal (8,100 milestones, a share done, late, missed), then the county
board (completion per dimension and per year aggregated in SQL, the late milestones county-wide),
filtered, as an htmx fragment, its Excel export, and one plan's page: server time (median, p95) and
SQL statements per request, beside a bare Flask route (the floor) and a bare select of the 270
schools measured in the same run.

    .venv/bin/python bench/plans_board.py [--schools 270] [--n 100] [--database-url postgresql+psycopg://...]

The board's statement count must not grow with the number of schools or milestones. A
--database-url must hold none of the app's tables: the bench creates them, loads the demo county
and drops them again.
"""
import argparse
import random
import statistics
import time
import timeit
from datetime import timedelta

from sqlalchemy import func, insert, select

from page_time import WARM_UP, counting, demo_county, report, sign_in_admin, timed
from portal import clock
from portal.extensions import db
from portal.models import Dimension, Goal, Milestone, MilestoneStatus, Ownership, Plan, PlanStatus, School, SchoolKind
from portal.plans import progress

GOALS, MILESTONES = 10, 3


def generate(schools: int, rng: random.Random) -> int:
    """Schools up to `schools` in all, and an approved plan of the current period for each that has none."""
    have = db.session.scalar(select(func.count()).select_from(School))
    groups = ["东部教育集团", "南部教育集团", "西部教育集团", "北部教育集团"]
    more = [dict(code=f"37{n:04d}", name=f"基准学校{n}", kind=SchoolKind.PRIMARY, ownership=Ownership.PUBLIC,
                 township=f"乡镇{n % 12}", education_group=groups[n % 4], is_project_school=n % 3 == 0, students=600,
                 classes=14, teachers=40, active=True) for n in range(have, schools)]
    if more:  # an empty list would insert one row of defaults
        db.session.execute(insert(School), more)
    today = clock.today()
    start = progress.school_year(today) - 1
    planned = select(Plan.school_id)
    ids = db.session.scalars(select(School.id).where(School.id.not_in(planned)).order_by(School.id)).all()
    plan_ids = db.session.scalars(insert(Plan).returning(Plan.id, sort_by_parameter_order=True), [
        dict(school_id=i, start_year=start, title=f"三年发展规划{i}", status=PlanStatus.APPROVED, baseline={})
        for i in ids]).all()
    dimensions = list(Dimension)
    goal_rows = [dict(plan_id=p, dimension=dimensions[g % 9], dimension_order=g % 9, text=f"目标{g}")
                 for p in plan_ids for g in range(GOALS)]
    goal_ids = db.session.scalars(insert(Goal).returning(Goal.id, sort_by_parameter_order=True), goal_rows).all()
    rows = []
    for goal_id in goal_ids:
        for year in range(MILESTONES):
            due = progress.year_range(Plan(start_year=start), year + 1)[0] + timedelta(days=rng.randrange(300))
            state = rng.choice([MilestoneStatus.DONE] * 3 + [MilestoneStatus.IN_PROGRESS, MilestoneStatus.NOT_STARTED,
                                                             MilestoneStatus.NOT_MET]) if due < today else \
                rng.choice([MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS])
            done_on = due - timedelta(days=rng.randrange(-10, 30)) if state is MilestoneStatus.DONE else None
            rows.append(dict(goal_id=goal_id, title=f"里程碑{year + 1}", due_date=due, owner="教务处", result="成果",
                             status=state, done_on=done_on, note=""))
    db.session.execute(insert(Milestone), rows)
    db.session.commit()
    return len(rows)


def bare_select(app, n: int) -> list[float]:
    """Milliseconds to select the schools list (every row) in the app's session: the board's own floor."""
    with app.app_context():
        def select_all():
            db.session.scalars(select(School).order_by(School.education_group, School.code)).all()
            db.session.rollback()
        for _ in range(WARM_UP):
            select_all()
        return [timeit.timeit(select_all, number=1) * 1000 for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=270, help="schools in the county (default 270)")
    parser.add_argument("--n", type=int, default=100, help="requests per page (default 100)")
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    args = parser.parse_args()

    with demo_county(args.database_url) as app:
        with app.app_context():
            started = time.perf_counter()
            made = generate(args.schools, random.Random(2026))
            generated = time.perf_counter() - started
            schools = db.session.scalar(select(func.count()).select_from(School))
            milestones = db.session.scalar(select(func.count()).select_from(Milestone))
            plan_id = db.session.scalar(select(Plan.id).order_by(Plan.id.desc()))
            dialect = db.engine.dialect.name
            statements: list = []
            counting(statements)
        client = app.test_client()
        sign_in_admin(client)
        pages = [
            ("school list (page 1)", "/schools/", None),
            ("county board", "/plans/", None),
            ("  东部教育集团", "/plans/?group=东部教育集团", None),
            ("  same, htmx fragment", "/plans/?group=东部教育集团", {"HX-Request": "true"}),
            ("  第一年按期达成", "/plans/?year=1&stage=MET", None),
            ("board export .xlsx", "/plans/export.xlsx", None),
            ("one plan (30 milestones)", f"/plans/{plan_id}", None),
        ]
        print(f"{made} milestones generated in {generated:.1f} s ({milestones} in all, {schools} schools with plans)\n")
        report(client, pages, args.n, statements, dialect)
        select_times = bare_select(app, args.n)
        floor = statistics.median(select_times)
        print(f"\nbare select of the {schools} schools (no request): median {floor:.2f} ms, "
              f"p95 {statistics.quantiles(select_times, n=20)[-1]:.2f} ms")
        board_times, _ = timed(client, "/plans/", args.n)
        print(f"county board: median {statistics.median(board_times):.2f} ms = "
              f"{statistics.median(board_times) / floor:.1f} × the bare select")


if __name__ == "__main__":
    main()
