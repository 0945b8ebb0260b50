"""全县概览 at county scale: the overview page on the demo county (the baseline), then on the
county-scale dataset of countygen.py (270 schools, five years: ≈ 5,000 inspections with ≈ 500,000
answers, ≈ 30,000 observations, 270 plans, rectification items): server time (median, p95) and SQL
statements per request, beside a bare Flask route measured in the same run (the floor). Prints
figures; never fails on them.

    .venv/bin/python bench/overview.py [--n 50] [--schools 270] [--database-url postgresql+psycopg://...]

Every figure is an aggregate in SQL over the schools in reach (inspections read their result as
submitted, not their answers): the statement count must stay the same from 28 schools to 270.
A --database-url must hold none of the app's tables.
"""
import argparse
import random
import time
from datetime import timedelta

from sqlalchemy import insert, select

from countygen import generate
from page_time import counting, demo_county, report, sign_in_admin
from portal.clock import today
from portal.extensions import db
from portal.models import RectificationItem, School


def pages() -> list:
    return [
        ("overview, this semester", "/overview", None),
        ("  same, htmx fragment", "/overview", {"HX-Request": "true"}),
        ("  one education group", "/overview?group=东部教育集团", None),
        ("  workbook (.xlsx)", "/overview.xlsx", None),
    ]


def rectification_items(rng: random.Random, count: int) -> int:
    """Open, overdue and closed items at random schools (the demo has five)."""
    ids = db.session.scalars(select(School.id)).all()
    day = today()
    db.session.execute(insert(RectificationItem), [
        dict(school_id=rng.choice(ids), problem="问题", requirement="要求", due_date=day + timedelta(days=rng.randint(-60, 60)))
        for _ in range(count)])
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50, help="requests per page (default 50)")
    parser.add_argument("--schools", type=int, default=270)
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    args = parser.parse_args()
    with demo_county(args.database_url) as app:
        statements: list = []
        with app.app_context():
            counting(statements)
            dialect = db.engine.dialect.name
        client = app.test_client()
        sign_in_admin(client)
        print("Baseline: the demo county (28 schools)\n")
        report(client, pages(), args.n, statements, dialect)
        with app.app_context():
            start = time.perf_counter()
            rng = random.Random(2026)
            made = generate(rng, args.schools)
            made["rectification_items"] = rectification_items(rng, 2000)
            db.session.commit()
            took = time.perf_counter() - start
        print(f"\nGenerated in {took:.0f} s: " + ", ".join(f"{v} {k}" for k, v in made.items()) + "\n")
        report(client, pages(), args.n, statements, dialect)


if __name__ == "__main__":
    main()
