"""推门听课 at county scale: a generator of a school year's observations (default 20,000, bulk
inserted), then the semester count page and the records list: server time (median, p95) and SQL
statements per request, beside a bare Flask route measured in the same run (the floor).

    .venv/bin/python bench/observations.py [--rows 20000] [--n 200] [--database-url postgresql+psycopg://...]

The count page aggregates in SQL (GROUP BY observer, school, subject and 年级, each with the grade):
its statement count and its time must not grow with the number of records. A --database-url must
hold none of the app's tables: the bench creates them, loads the demo county and drops them again.
"""
import argparse
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, func, insert, inspect, select

from page_time import report, sign_in_admin
from portal import create_app
from portal import clock
from portal.demo import seed
from portal.extensions import db
from portal.models import (Observation, ObservationScore, ObservationStatus, Role, School, SchoolClass,
                           TemplateKind, TemplateVersion, User)
from portal.observations import grading

SUBJECTS = ("语文", "数学", "英语", "科学", "道德与法治", "物理", "化学", "历史", "地理", "生物", "音乐", "体育", "美术")
BATCH = 2000


def generate(rows: int, year: int, rng: random.Random) -> int:
    """`rows` finished observations spread over the school year starting in September of `year`, by
    every leader and inspector, at random schools and classes, scored with the current rubric."""
    version = db.session.scalar(select(TemplateVersion).join(TemplateVersion.template)
                                .where(TemplateVersion.template.has(kind=TemplateKind.RUBRIC)))
    items = grading.dimensions(version)
    observers = db.session.scalars(select(User.id).where(User.role.in_([Role.LEADER, Role.INSPECTOR]))).all()
    classes = db.session.execute(select(SchoolClass.id, SchoolClass.school_id, SchoolClass.grade, SchoolClass.name)).all()
    first, days = date(year, 9, 1), (date(year + 1, 7, 15) - date(year, 9, 1)).days
    made = 0
    while made < rows:
        batch, scores = [], []
        for _ in range(min(BATCH, rows - made)):
            class_id, school_id, grade, name = rng.choice(classes)
            points = {item.id: Decimal(rng.randint(int(item.max_points) // 2, int(item.max_points))) for item in items}
            result = grading.grade(version, points)
            day = first + timedelta(days=rng.randrange(days))
            batch.append(dict(school_id=school_id, observer_id=rng.choice(observers), version_id=version.id,
                              class_id=class_id, class_label=f"{grade}{name}", subject=rng.choice(SUBJECTS),
                              teacher_name="教师", topic="课题", observed_on=day, period=rng.randint(1, 7),
                              started_at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC),
                              status=ObservationStatus.FINAL, total=result.total, grade=result.grade,
                              revision=1, strengths="", problems="", suggestions="", feedback_note=""))
            scores.append(points)
        ids = db.session.scalars(insert(Observation).returning(Observation.id, sort_by_parameter_order=True), batch).all()
        db.session.execute(insert(ObservationScore), [dict(observation_id=i, item_id=item_id, points=p, revision=1)
                                                      for i, points in zip(ids, scores) for item_id, p in points.items()])
        made += len(batch)
    db.session.commit()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000, help="observations to generate (default 20000)")
    parser.add_argument("--n", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups"),
                      "TWO_FACTOR_REQUIRED": False})  # the demo admin signs in with a password alone
    year = clock.semester(date.today()).year
    with app.app_context():
        if set(inspect(db.engine).get_table_names()) & set(db.metadata.tables):
            sys.exit(f"{url} already holds the app's tables; give the bench an empty database")
        db.create_all()
        seed()
        db.session.commit()
        start = time.perf_counter()
        made = generate(args.rows, year, random.Random(2026))
        generated = time.perf_counter() - start
        total = db.session.scalar(select(func.count()).select_from(Observation))
        schools = db.session.scalar(select(func.count()).select_from(School))
        dialect = db.engine.dialect.name
        statements: list = []
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.append(1))

    try:
        client = app.test_client()
        sign_in_admin(client)
        autumn, spring = f"{year}-1", f"{year}-2"
        pages = [
            (f"counts, {autumn}", f"/observations/counts?semester={autumn}", None),
            (f"counts, {spring}", f"/observations/counts?semester={spring}", None),
            ("  same, htmx fragment", f"/observations/counts?semester={spring}", {"HX-Request": "true"}),
            ("counts, one school", f"/observations/counts?semester={autumn}&school=1", None),
            ("records list, page 1", "/observations/", None),
            ("records list, 数学", "/observations/?subject=数学", None),
        ]
        print(f"{made} observations generated in {generated:.1f} s ({total} in all, {schools} schools)\n")
        report(client, pages, args.n, statements, dialect)
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
