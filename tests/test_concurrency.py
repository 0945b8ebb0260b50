"""Several worker processes writing at once: SQLite must queue them, never 'database is locked'."""
import multiprocessing

from sqlalchemy import select

from portal.extensions import db
from portal.models import School

WORKERS, WRITES = 4, 25


def _worker(url: str, school_id: int, queue) -> None:
    from portal import create_app

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "SQLITE_BUSY_TIMEOUT_MS": 30000})
    errors = 0
    for _ in range(WRITES):
        # A write request: read, then write in the same transaction (the pattern that deadlocks
        # deferred SQLite transactions).
        with app.test_request_context(method="POST"):
            try:
                school = db.session.scalar(select(School).where(School.id == school_id).with_for_update())
                school.students = school.students + 1
                db.session.commit()
            except Exception:  # noqa: BLE001 - counted, reported by the test
                errors += 1
                db.session.rollback()
    queue.put(errors)


def test_parallel_writers_never_fail(app, make_school):
    school_id = make_school(students=0)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    processes = [ctx.Process(target=_worker, args=(url, school_id, queue)) for _ in range(WORKERS)]
    for p in processes:
        p.start()
    errors = [queue.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=30)
    assert errors == [0] * WORKERS
    with app.app_context():
        assert db.session.get(School, school_id).students == WORKERS * WRITES
