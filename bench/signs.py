"""挂牌督导 signs at county scale: one school's sign (what 公示牌 PDF answers in the request), every
school's sign in one process as a single document (what a request could do at most), and the batch as
the background job runs it (portal/visits/batch.py: one render per school on every core, then put
together) — for the demo county and for a generated county of --schools schools, each inspector with
a portrait.

    .venv/bin/python bench/signs.py [--schools 270] [--n 3]
"""
import argparse
import io
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import insert, select

from portal import create_app, demo, jobs
from portal.extensions import db
from portal.files import evidence
from portal.models import Portrait, Role, School, SchoolKind, SignJob, User, inspector_school
from portal.pdf import engine
from portal.visits import batch, sign


def portrait(user_id: int) -> None:
    out = io.BytesIO()
    Image.new("RGB", (900, 1200), (120, 140, 170)).save(out, "JPEG", quality=90)
    picture, thumbnail = evidence.stored(out.getvalue(), "照片.jpg", school_id=None, user_id=user_id, photos_only=True)
    db.session.add(Portrait(user_id=user_id, attachment=picture, thumbnail=thumbnail, client_key=f"bench-{user_id}"))


def generated(count: int) -> None:
    """`count` schools, an inspector for each five (a 责任区), every inspector with a portrait."""
    kinds = [SchoolKind.PRIMARY, SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.KINDERGARTEN]
    ids = db.session.scalars(insert(School).returning(School.id, sort_by_parameter_order=True), [
        dict(code=f"36{n:04d}", name=f"县第{n}实验学校", kind=kinds[n % 4], students=600, classes=14, teachers=40,
             township="城东街道", education_group="东部教育集团") for n in range(1, count + 1)]).all()
    for start in range(0, count, 5):
        user = User(username=f"duxue{start // 5}", display_name=f"督学{start // 5:03d}", role=Role.INSPECTOR,
                    phone=f"1390791{start:04d}", password_hash="x")
        db.session.add(user)
        db.session.flush()
        db.session.execute(insert(inspector_school), [dict(user_id=user.id, school_id=i) for i in ids[start:start + 5]])
        portrait(user.id)
    db.session.commit()


def seeded_demo() -> None:
    demo.seed()
    for user in db.session.scalars(select(User).where(User.role == Role.INSPECTOR)):
        portrait(user.id)
    db.session.commit()


def measure(label: str, n: int) -> None:
    schools = batch.schools()
    one = sign.pdf(schools[0])  # warm-up: fonts loaded, templates compiled
    times = []
    for _ in range(n):
        start = time.perf_counter()
        one = sign.pdf(schools[0])
        times.append(time.perf_counter() - start)
    print(f"\n{label}: {len(schools)} active schools")
    print(f"  one sign (request)                    median {statistics.median(times):6.2f} s, {len(one) // 1024} KB")
    start = time.perf_counter()
    whole = sign.prepared(schools)
    rendered = engine.to_pdf(whole.html, whole.files)
    single = time.perf_counter() - start
    print(f"  all in one render, one process        {single:6.1f} s, {rendered.pages} pages, {len(rendered.pdf) // 1024} KB")
    job = batch.create(None, None)
    db.session.commit()
    start = time.perf_counter()
    job = jobs.run(SignJob, job.id)
    total = time.perf_counter() - start
    print(f"  background job (every core, merged)   {total:6.1f} s, {total / max(job.total, 1):5.2f} s per school, "
          f"{job.status.value}, {len(job.failures)} failed, {job.pdf.size // 1024 if job.pdf else 0} KB")


def run(folder: Path, label: str, fill, n: int) -> None:
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / (label + '.sqlite3')}",
                      "UPLOAD_FOLDER": str(folder / label), "BACKUP_FOLDER": str(folder / "backups"),
                      "SUPERVISION_PHONE": "0791-12345678"})
    with app.test_request_context():
        db.create_all()
        fill()
        measure(label, n)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=270)
    parser.add_argument("--n", type=int, default=3, help="renders of one sign (default 3)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    run(folder, "demo", seeded_demo, args.n)
    run(folder, f"county{args.schools}", lambda: generated(args.schools), args.n)


if __name__ == "__main__":
    sys.exit(main())
