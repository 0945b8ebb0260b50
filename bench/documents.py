"""公文 at county scale (270 schools):

1. One circular with a 270-school results table: the engine's time (template, layout, the 版记
   placed at the bottom of an even page, PDF) beside WeasyPrint alone on the same pre-rendered HTML,
   measured in the same run (median of --n renders each): the ratio is our overhead.
   Beside them, the editor's live preview: page 1 as a PNG, laid out without the attachments' pages.
2. The batch of a 270-school round's notices (督导意见书, one PDF per school into a zip) as the
   background job runs it: total time, per notice, and the peak memory of the process.

    .venv/bin/python bench/documents.py [--schools 270] [--n 5] [--kind opinion]
"""
import argparse
import resource
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert
from weasyprint import HTML

from portal import create_app, jobs
from portal.documents import batch, compose, notices
from portal.extensions import db
from portal.models import (Answer, DocumentJob, Inspection, InspectionStatus, Role, Round, RoundKind, School,
                           SchoolKind, TemplateVersion, User)
from portal.pdf import engine
from portal.supervision.catalog import load_builtin_templates

TODAY = date(2026, 11, 23)


def county(count: int) -> Round:
    """`count` schools, one inspector, and a comprehensive round with every inspection approved, a
    few items of each short of the standard (bulk inserted)."""
    version: TemplateVersion = load_builtin_templates()[0].versions[0]
    inspector = User(username="duxue", display_name="周督学", role=Role.INSPECTOR, password_hash="x")
    db.session.add(inspector)
    db.session.flush()
    kinds = [SchoolKind.PRIMARY, SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.KINDERGARTEN]
    ids = db.session.scalars(insert(School).returning(School.id, sort_by_parameter_order=True), [
        dict(code=f"36{n:04d}", name=f"第{n}学校", kind=kinds[n % 4], students=600, classes=14, teachers=40,
             township="城东街道", education_group="东部教育集团") for n in range(1, count + 1)]).all()
    supervision_round = Round(name="2026年秋季学期学校综合督导", kind=RoundKind.COMPREHENSIVE, version=version,
                              starts_on=TODAY - timedelta(days=40), ends_on=TODAY - timedelta(days=12))
    db.session.add(supervision_round)
    db.session.flush()
    at = datetime(2026, 11, 1, 1, tzinfo=UTC)
    inspections = db.session.scalars(insert(Inspection).returning(Inspection.id, sort_by_parameter_order=True), [
        dict(school_id=i, version_id=version.id, inspector_id=inspector.id, visit_date=TODAY - timedelta(days=20),
             status=InspectionStatus.APPROVED, round_id=supervision_round.id, submitted_at=at, reviewed_at=at,
             review_comment="") for i in ids]).all()
    items = [item for section in version.sections for item in section.items]
    answers = []
    for n, inspection in enumerate(inspections):
        for k, item in enumerate(items):
            short = (n + k) % 7 == 0
            points = item.max_points * (Decimal("0.4") if short else Decimal(7 + (n * k) % 4) / 10)
            answers.append(dict(inspection_id=inspection, item_id=item.id, value=f"{points.quantize(Decimal('0.5'))}",
                                na=False, note="现场查看，记录不全。" if short else "", revision=1,
                                updated_at=at))
    db.session.execute(insert(Answer), answers)
    db.session.commit()
    return supervision_round


def median_seconds(work, n: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=270)
    parser.add_argument("--n", type=int, default=5, help="renders of the circular, each way (default 5)")
    parser.add_argument("--kind", default="opinion", choices=sorted(notices.KINDS))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups")})
    with app.test_request_context():
        db.create_all()
        start = time.perf_counter()
        supervision_round = county(args.schools)
        print(f"county: {args.schools} schools, round with {args.schools} approved inspections "
              f"({time.perf_counter() - start:.1f} s to generate)")

        document = compose.drafted(supervision_round, "XX县人民政府教育督导室", "各中小学、幼儿园", "县教育局",
                                   TODAY + timedelta(days=30))
        letter = compose.letter(document, TODAY)
        html = engine.render_html("pdf/base.html", letter)
        engine.render("pdf/base.html", letter)  # warm-up: fonts loaded, templates compiled
        HTML(string=html).write_pdf()
        ours, rendered = median_seconds(lambda: engine.render("pdf/base.html", letter), args.n)
        alone, _ = median_seconds(lambda: HTML(string=html).write_pdf(), args.n)
        print(f"\ncircular, {len(document.table)}-school table: {rendered.pages} pages, {len(rendered.pdf) // 1024} KB")
        print(f"  engine (template + layout + 版记 placement + PDF)   median {ours:6.2f} s   (n={args.n})")
        print(f"  WeasyPrint alone on the same HTML                  median {alone:6.2f} s")
        print(f"  overhead ratio                                     {ours / alone:6.2f} ×")
        preview, _ = median_seconds(lambda: engine.first_page_png(
            engine.render("pdf/base.html", letter, body_only=True).pdf, 1.1), args.n)
        whole, _ = median_seconds(lambda: engine.first_page_png(rendered.pdf, 1.1), args.n)
        print(f"  the editor's preview of page 1 (without the attachments' pages, to PNG) median {preview:6.2f} s"
              f"   (the whole circular + PNG: {ours + whole:.2f} s)")

        job = batch.create(supervision_round.id, args.kind, None, None)
        db.session.commit()
        before = peak_rss_mb()
        start = time.perf_counter()
        job = jobs.run(DocumentJob, job.id)
        total = time.perf_counter() - start
        print(f"\nbatch of {job.total} notices ({args.kind}): {job.status.value}, {job.done - len(job.failures)} PDFs, "
              f"{len(job.failures)} failed, zip {job.zip.size // 1024} KB")
        print(f"  total {total:6.1f} s, {total / max(job.total, 1):5.2f} s per notice")
        print(f"  peak memory of the process {peak_rss_mb():6.0f} MB (before the batch: {before:.0f} MB)")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
