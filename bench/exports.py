"""Every Excel download at county scale: the dataset of countygen.py (270 schools, ≈ 5,000 inspections
with ≈ 500,000 answers, ≈ 30,000 observations, 270 plans) plus 2,000 rectification items, then each
export and import template as the admin gets it: data rows in the workbook, its size, seconds
(median and slowest of --n downloads; CPU seconds of the process beside them, the steadier figure
on a shared machine) and the memory of the process that made it. Prints figures; never fails on them.

    .venv/bin/python bench/exports.py [--scale 1] [--n 3] [--only inspections]
                                      [--database-url postgresql+psycopg://...]

Each export runs in a process of its own (this script with --child), through the WSGI app with
Flask's test client, the body written to a file as it arrives. "before": that process's resident
memory with the app imported and the admin signed in; "peak": the most it held during the downloads
(VmHWM, its high-water mark reset just before them), the figure a gunicorn worker would reach.
--scale 0.1 makes a tenth of the county for a quick run. A --database-url must hold none of the
app's tables: the bench creates them, loads the demo county, generates the rest and drops them again.
"""
import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from countygen import generate
from overview import rectification_items
from page_time import demo_county, sign_in_admin
from portal import create_app
from portal.extensions import db
from portal.models import ChecklistTemplate, School


def exports(version_id: int, school_id: int) -> list[tuple[str, str]]:
    year = date.today().year
    return [
        ("督导检查明细", "/inspections/export.xlsx"),
        ("推门听课记录", "/observations/export.xlsx"),
        ("整改事项", "/rectification/export.xlsx"),
        ("一校一规划", "/plans/export.xlsx"),
        ("全县概览", "/overview.xlsx"),
        ("优质均衡", f"/balance/export.xlsx?year={year}"),
        ("学校名单", "/schools/export.xlsx?status=all"),
        ("检查表", f"/checklists/versions/{version_id}/export.xlsx"),
        ("班级课表教师", f"/schools/{school_id}/classes/lists.xlsx"),
        ("学校名单导入模板", "/schools/import-template.xlsx"),
        ("优质均衡导入模板", "/balance/import-template.xlsx"),
        ("检查表导入模板", "/checklists/import-template.xlsx"),
    ]


def memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (the most since the last reset) of this process."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024


def child(url: str, path: str, n: int, out: str) -> None:
    """Download `path` n times as the admin, each body into `out`; print the figures as JSON."""
    folder = Path(out).parent
    app = create_app({"APP_ENV": "production", "SECRET_KEY": "bench-" * 8, "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups"),
                      "TWO_FACTOR_REQUIRED": False})
    client = app.test_client()
    sign_in_admin(client)
    before, seconds, cpu = memory_mb("VmRSS"), [], []
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again from here
    for _ in range(n):
        start, used = time.perf_counter(), time.process_time()
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}: the figures would time an error page")
        with open(out, "wb") as body:
            for chunk in response.response:
                body.write(chunk)
        response.close()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "before": before, "peak": memory_mb("VmHWM")}))


def data_rows(path: Path) -> int:
    """Rows in every sheet of the workbook less each sheet's header, counted in its XML as it unzips."""
    rows = 0
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/sheet"):
                with book.open(name) as sheet:
                    tail, found = b"", 0
                    while chunk := sheet.read(1 << 20):
                        found += (tail + chunk).count(b"<row ")
                        tail = chunk[-4:]
                rows += max(found - 1, 0)
    return rows


def label(name: str, width: int) -> str:
    return f"{name:<{width - sum(unicodedata.east_asian_width(c) in 'WF' for c in name)}}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the county to generate (default 1)")
    parser.add_argument("--n", type=int, default=3, help="downloads of each export (default 3)")
    parser.add_argument("--only", help="only the exports whose path contains this")
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--child", nargs=3, metavar=("URL", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], args.n, args.child[2])

    with demo_county(args.database_url) as app:
        with app.app_context():
            start = time.perf_counter()
            rng = random.Random(2026)
            made = generate(rng, max(28, round(270 * args.scale)), inspection_count=round(5000 * args.scale),
                            observation_count=round(30_000 * args.scale))
            made["rectification_items"] = rectification_items(rng, round(2000 * args.scale))
            db.session.commit()
            took = time.perf_counter() - start
            checklist = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name.like("%全县规模%")))
            version_id = checklist.versions[0].id
            school_id = db.session.scalar(select(School.id).order_by(School.code))
            url = db.engine.url.render_as_string(hide_password=False)
            dialect = db.engine.dialect.name
        print(f"Generated in {took:.0f} s: " + ", ".join(f"{v} {k}" for k, v in made.items()) + "\n")
        print(f"{'export':<20}{'rows':>9}{'KB':>8}{'median s':>10}{'max s':>8}{'CPU s':>8}{'before MB':>11}"
              f"{'peak MB':>9}")
        with tempfile.TemporaryDirectory(prefix="dudao-exports-") as folder:
            out = Path(folder) / "body.xlsx"
            for name, path in exports(version_id, school_id):
                if args.only and args.only not in path:
                    continue
                run = subprocess.run([sys.executable, __file__, "--n", str(args.n), "--child", url, path, str(out)],
                                     capture_output=True, text=True, check=False)
                if run.returncode != 0:
                    print(f"{label(name, 20)}failed: {run.stderr.strip().splitlines()[-1:]}")
                    continue
                figures = json.loads(run.stdout.strip().splitlines()[-1])
                seconds = figures["seconds"]
                print(f"{label(name, 20)}{data_rows(out):>9,}{out.stat().st_size // 1024:>8,}"
                      f"{statistics.median(seconds):>10.2f}{max(seconds):>8.2f}"
                      f"{statistics.median(figures['cpu']):>8.2f}{figures['before']:>11.0f}{figures['peak']:>9.0f}")
        print(f"\n{args.n} downloads each, one process per export; database: {dialect}")


if __name__ == "__main__":
    main()
