"""Signed-in pages: server time (median, p95) and SQL queries per request, beside a bare Flask
route measured in the same run (the floor). Prints figures; never fails on them.

    .venv/bin/python bench/page_time.py [--n 300] [--database-url postgresql+psycopg://...]
"""
import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event, select

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import db
from portal.models import School


def timed(client, url: str, n: int, counter: list) -> tuple[list[float], float]:
    times, queries = [], 0
    for _ in range(n):
        counter.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries += len(counter)
    return times, queries / n


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(folder)})
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed()
        db.session.commit()
        school_id = db.session.scalar(select(School.id).order_by(School.code))
        statements: list = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))

    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token})

    floor_app = Flask("floor")
    floor_app.add_url_rule("/", "floor", lambda: "ok")
    floor_times, _ = timed(floor_app.test_client(), "/", args.n, [])
    floor = statistics.median(floor_times)

    pages = {"home /": "/", "school list": "/schools/", "school search": "/schools/?q=城东",
             "school detail": f"/schools/{school_id}", "school list (htmx)": "/schools/?q=镇"}
    print(f"{'page':<24}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'× floor':>9}")
    print(f"{'bare Flask route (floor)':<24}{floor:>10.2f}{p95(floor_times):>9.2f}{0:>9}{1:>9.1f}")
    for name, path in pages.items():
        headers = {"HX-Request": "true"} if "htmx" in name else {}
        client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
        times, queries = timed(client, path, args.n, statements)
        for key in headers:
            client.environ_base.pop(f"HTTP_{key.upper().replace('-', '_')}")
        median = statistics.median(times)
        print(f"{name:<24}{median:>10.2f}{p95(times):>9.2f}{queries:>9.1f}{median / floor:>9.1f}")
    print(f"\n{args.n} requests each, database {url.split(':')[0]}")


if __name__ == "__main__":
    main()
