"""优质均衡 at county scale: the indicator pages on the demo county (the baseline), then on the
county-scale dataset of countygen.py (270 schools, five years of inspections, answers,
observations and resource figures): server time (median, p95) and SQL statements per request,
beside a bare Flask route measured in the same run (the floor). Prints figures; never fails on them.

    .venv/bin/python bench/balance.py [--n 100] [--schools 270] [--database-url postgresql+psycopg://...]

The summary reads the year's figures and schools in two queries and computes in Python: its
statement count must stay the same from 28 schools to 270, and its time grow no faster than the
number of school parts. A --database-url must hold none of the app's tables: the bench creates
them, loads the demo county, generates the rest and drops them again.
"""
import argparse
import random
import time

from sqlalchemy import func, select

from countygen import generate
from page_time import counting, demo_county, report, sign_in_admin
from portal.balance.queries import this_year
from portal.extensions import db
from portal.models import ResourceFigures, School


def pages(year: int, school_id: int) -> list:
    return [
        (f"summary {year}", f"/balance/?year={year}", None),
        (f"summary {year - 1}", f"/balance/?year={year - 1}", None),
        ("school card", f"/balance/schools/{school_id}?year={year}", None),
        ("edit + what-if panel", f"/balance/schools/{school_id}/{year}/JUNIOR", None),
        ("export.xlsx", f"/balance/export.xlsx?year={year}", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100, help="requests per page (default 100)")
    parser.add_argument("--schools", type=int, default=270)
    parser.add_argument("--inspections", type=int, default=5000)
    parser.add_argument("--observations", type=int, default=30_000)
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    args = parser.parse_args()

    with demo_county(args.database_url) as app:
        with app.app_context():
            year = this_year()
            school_id = db.session.scalar(select(School.id).where(School.name == "南湖第二初级中学"))
            dialect = db.engine.dialect.name
            statements: list = []
            counting(statements)
        client = app.test_client()
        sign_in_admin(client)
        print("Baseline: the demo county (28 schools, this year's figures)\n")
        report(client, pages(year, school_id), args.n, statements, dialect)
        with app.app_context():
            start = time.perf_counter()
            made = generate(random.Random(2026), args.schools, inspection_count=args.inspections,
                            observation_count=args.observations)
            took = time.perf_counter() - start
            parts = db.session.scalar(select(func.count()).select_from(ResourceFigures).where(ResourceFigures.year == year))
        print(f"\nGenerated in {took:.0f} s: " + ", ".join(f"{v} {k}" for k, v in made.items()))
        print(f"County scale: {args.schools} schools, {parts} school parts with figures for {year}\n")
        report(client, pages(year, school_id), args.n, statements, dialect)


if __name__ == "__main__":
    main()
