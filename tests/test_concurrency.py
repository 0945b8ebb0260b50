"""Several worker processes writing at once: SQLite must queue them, never 'database is locked'."""
import multiprocessing

from sqlalchemy import event, select

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


def test_opening_a_circular_while_another_request_writes_is_not_a_500(app, auth, make_school):
    """A GET that records something (a circular's first opening) while another connection commits a
    write between the page's first read and its record: on SQLite that deferred read turning into a
    write was "database is locked" at once (16 principals opening a circular: 68 of 160 requests 500)."""
    from datetime import date

    from portal.models import Document, DocumentRecipient, DocumentStatus

    school_id = make_school()
    auth.login_as("principal", school_id=school_id)
    with app.app_context():
        document = Document(title="测试通报", status=DocumentStatus.ISSUED, number="X教督〔2026〕7号", prefix="X教督",
                            year=2026, sequence=7, opening="正文。", signed_on=date(2026, 11, 23), issuer="督导室",
                            recipients=[DocumentRecipient(school_id=school_id)])
        db.session.add(document)
        db.session.commit()
        recipient_id = document.recipients[0].id
    interfered = []

    def another_writer(_conn, _cursor, statement, *_):
        """Right after the page's first read, someone else saves something (their own connection)."""
        if interfered or not statement.lstrip().upper().startswith("SELECT"):
            return
        interfered.append(1)
        with db.engine.connect() as writer:  # a second connection from the pool
            writer.execute(School.__table__.update().where(School.id == school_id).values(students=School.students + 1))
            writer.commit()

    with app.app_context():
        event.listen(db.engine, "after_cursor_execute", another_writer)
        try:
            response = auth.client.get(f"/documents/received/{recipient_id}")
        finally:
            event.remove(db.engine, "after_cursor_execute", another_writer)
        assert interfered and response.status_code == 200
        assert db.session.get(DocumentRecipient, recipient_id).opened_at is not None
