"""Signed-in pages: server time (median, p95) and SQL statements per request, beside a bare Flask
route measured in the same run (the floor). Prints figures; never fails on them.

    .venv/bin/python bench/page_time.py [--n 300] [--database-url postgresql+psycopg://...]

The app runs with the production profile (no StrictUndefined, no authorization-check hook), so
the figures are what users get. A --database-url must hold none of the app's tables: the bench
creates them, loads the demo county and drops them again.
"""
import argparse
from contextlib import contextmanager
import re
import secrets
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from flask import Flask
from sqlalchemy import event, inspect, select

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import db
from portal.models import School

WARM_UP = 10  # first requests compile templates and fill caches; not what a user waits for


def timed(client, url: str, n: int, headers: dict | None = None, statements: list | None = None):
    """Milliseconds per request, and SQL statements per request."""
    for _ in range(WARM_UP):
        client.get(url, headers=headers)
    statements = statements if statements is not None else []
    statements.clear()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}: the figures would time an error page")
    return times, len(statements) / n


def row(name: str, times: list[float], queries: float, floor: float) -> str:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in name)  # a Chinese character takes two columns
    return f"{name:<{28 - wide}}{median:>10.2f}{p95:>9.2f}{queries:>9.1f}{median / floor:>10.1f}"


def sign_in_admin(client) -> None:
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)[1]
    response = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token})
    if response.status_code != 303:
        sys.exit(f"signing in as admin failed ({response.status_code})")


def report(client, pages: list, n: int, statements: list, dialect: str) -> None:
    """Time each (name, path, headers) page after a bare Flask route (the floor), as a table."""
    floor_app = Flask("floor")
    floor_app.add_url_rule("/", "floor", lambda: "ok")
    floor_times, _ = timed(floor_app.test_client(), "/", n)
    floor = statistics.median(floor_times)
    print(f"{'page':<28}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'× floor':>10}")
    print(row("bare Flask route (floor)", floor_times, 0, floor))
    for name, path, headers in pages:
        times, queries = timed(client, path, n, headers, statements)
        print(row(name, times, queries, floor))
    print(f"\n{n} requests each after {WARM_UP} warm-up requests; database: {dialect}")


@contextmanager
def demo_county(database_url: str | None):
    """The app with the production profile over a freshly loaded demo county (an empty --database-url,
    else a SQLite file in a temporary folder); its tables are dropped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    url = database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups"),
                      "TWO_FACTOR_REQUIRED": False})  # the demo admin signs in with a password alone
    with app.app_context():
        if set(inspect(db.engine).get_table_names()) & set(db.metadata.tables):
            sys.exit(f"{url} already holds the app's tables; give the bench an empty database")
        db.create_all()
        seed()
        db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def counting(statements: list) -> None:
    """Count the SQL statements the engine runs into `statements` (call inside the app context)."""
    event.listen(db.engine, "before_cursor_execute", lambda *_: statements.append(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="requests per page (default 300)")
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    args = parser.parse_args()

    with demo_county(args.database_url) as app:
        with app.app_context():
            school_id = db.session.scalar(select(School.id).order_by(School.code))
            dialect = db.engine.dialect.name
            statements: list = []
            counting(statements)
        client = app.test_client()
        sign_in_admin(client)
        pages = [
            ("home /", "/", None),
            ("school list", "/schools/", None),
            ("school search ?q=城东", "/schools/?q=城东", None),
            ("  same, htmx fragment", "/schools/?q=城东", {"HX-Request": "true"}),
            ("school detail", f"/schools/{school_id}", None),
        ]
        report(client, pages, args.n, statements, dialect)


if __name__ == "__main__":
    main()
