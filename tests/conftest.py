"""Fixtures in the Flask-tutorial style. TEST_DATABASE_URL runs the suite on PostgreSQL (in a schema made
for the run, in the database it names)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask_sqlalchemy.session import Session
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

# Tests never write into the checkout: the development key (config.INSTANCE) goes to a folder of the run's own,
# set before the app's config is first imported.
INSTANCE = os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="dudao-instance-")

import portal  # noqa: E402
from portal import create_app  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import (Answer, AnswerType, ChecklistTemplate, EvidenceRule, Inspection, InspectionStatus,  # noqa: E402
                           Item, Observation, Ownership, Role, School, SchoolKind, Section, TemplateVersion, User,
                           VersionStatus, utcnow)
from portal.observations import rubric  # noqa: E402

PASSWORD = "correct-horse-9"


def pytest_unconfigure(config):
    shutil.rmtree(INSTANCE, ignore_errors=True)


@contextmanager
def database_of_its_own(folder):
    """An empty database: a SQLite file in `folder`, or on TEST_DATABASE_URL's PostgreSQL a schema of its own
    (dropped afterwards; dropping a whole database would wait for a checkpoint, 10-30 s under load)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{folder / 'own.sqlite3'}"
        return
    name = f"dudao_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        # A test database need not survive a crash: commits stop waiting for the disk (a third off the time).
        options = f"-c search_path={name} -c synchronous_commit=off"
        yield make_url(url).update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _schema(tmp_path_factory):
    """The run's database, with the models' tables. Made for this run: runs side by side never meet."""
    with database_of_its_own(tmp_path_factory.mktemp("db")) as url:
        app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield url


def empty_tables() -> None:
    """Every row gone and ids counting from 1 again. Deleting a test's few rows is quicker than TRUNCATE,
    which on PostgreSQL rewrites every table's files (close to a second per test)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                " WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
    db.session.commit()


def new_app(database_url: str, folder):
    """The app under test on `database_url`, its files under `folder`."""
    return create_app({
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "BACKUP_FOLDER": str(folder / "backups"),
    })


@pytest.fixture(scope="session")
def _app(_schema, tmp_path_factory):
    """One app for the run. Making one per test cost more than most tests: werkzeug compiles its 130 URL
    rules, and Jinja compiled every template again for each new app."""
    app = new_app(_schema, tmp_path_factory.mktemp("app"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app, tmp_path):
    """The app as it was made, for this test: its settings and extensions (caches, job pools) put back
    afterwards, its files in the test's folder, every table empty."""
    config, extensions = dict(_app.config), dict(_app.extensions)
    _app.config.update(UPLOAD_FOLDER=str(tmp_path / "uploads"), BACKUP_FOLDER=str(tmp_path / "backups"))
    _app.extensions.pop("storage", None)  # made for the folder above (a module's fixture may have made one for its own)
    with _app.app_context():
        empty_tables()
    yield _app
    _app.config.clear()
    _app.config.update(config)
    _app.extensions.clear()
    _app.extensions.update(extensions)


@contextmanager
def worker_process(app):
    """`flask jobs work` as `make run` starts it: a process of its own, on the app's database and files,
    the portal of this checkout. Stopped as `make run` stops it (SIGTERM)."""
    root = str(Path(portal.__file__).parent.parent)
    env = {**os.environ, "APP_ENV": "testing", "FLASK_APP": "portal:create_app",
           "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH")))),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
           "BACKUP_FOLDER": app.config["BACKUP_FOLDER"]}
    process = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "work", "--interval", "0.2"], cwd=root, env=env)
    try:
        yield process
    finally:
        process.terminate()
        code = process.wait(timeout=30)
    assert code == 0  # stopped cleanly, its PDF workers with it


class _JoinedSession(Session):
    """Flask-SQLAlchemy picks an engine by bind key; inside rolled_back() every session uses its connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@contextmanager
def rolled_back(app):
    """Whatever the app writes inside, its views' commits included, is undone at the end: SQLAlchemy's recipe
    for test suites. One connection holds one transaction; every session joins it with a SAVEPOINT of its own
    (join_transaction_mode="create_savepoint"), so a commit releases its savepoint and the final rollback
    takes everything back. SQLite (its driver told to leave transactions to us, extensions.py) and
    PostgreSQL alike."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    factory = db.session.session_factory
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(factory, "class_", _JoinedSession)
            patch.setitem(factory.kw, "bind", connection)
            patch.setitem(factory.kw, "join_transaction_mode", "create_savepoint")
            yield
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def school_maker(app):
    counter = iter(range(1, 10_000))

    def make(**fields) -> int:
        n = next(counter)
        values = dict(code=f"T{n:04d}", name=f"测试学校{n}", kind=SchoolKind.PRIMARY, ownership=Ownership.PUBLIC,
                      township="城东街道", education_group="东部教育集团", students=600, classes=14, teachers=40)
        values.update(fields)
        with app.app_context():
            school = School(**values)
            db.session.add(school)
            db.session.commit()
            return school.id

    return make


def user_maker(app):
    counter = iter(range(1, 10_000))

    def make(role: Role | str, school_id: int | None = None, schools=(), **fields) -> int:
        role = Role[role.upper()] if isinstance(role, str) else role
        n = next(counter)
        with app.app_context():
            user = User(
                username=fields.pop("username", f"{role.name.lower()}{n}"),
                display_name=fields.pop("display_name", f"{role.value}{n}"),
                role=role, school_id=school_id, password_hash=hash_password(fields.pop("password", PASSWORD)),
                schools=[db.session.get(School, s) for s in schools], **fields,
            )
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_school(app):
    return school_maker(app)


@pytest.fixture
def make_user(app):
    return user_maker(app)


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    def __init__(self, app, client, make_user):
        self.app, self.client, self.make_user = app, client, make_user
        self.user_id = None

    def login(self, username: str, password: str = PASSWORD, follow=False):
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                                follow_redirects=follow)

    def login_as(self, role, school_id=None, schools=()) -> int:
        """Create a user with that role (and school or 责任区) and sign in as them."""
        self.user_id = self.make_user(role, school_id=school_id, schools=schools)
        with self.app.app_context():
            username = db.session.get(User, self.user_id).username
        response = self.login(username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return self.user_id

    def token(self) -> str:
        return csrf_token(self.client, "/")


@pytest.fixture
def auth(app, client, make_user):
    return Auth(app, client, make_user)


# A small published checklist: (section, [(text, answer type, max points, flags)]).
SMALL_TEMPLATE = [
    ("一、规范办学", [("招生规范，无违规招生", AnswerType.POINTS, 10, "critical photo"),
                  ("课程开齐开足", AnswerType.RATING, 5, "na note")]),
    ("二、安全管理", [("消防设施完好", AnswerType.YES_NO, 5, "")]),
]


def template_maker(app):
    counter = iter(range(1, 10_000))

    def make(spec=SMALL_TEMPLATE, name=None, school_kinds=()) -> int:
        """A published template version; returns the version id. Item flags: critical, na, photo,
        note, na:KIND,KIND (N/A for those kinds of school); `school_kinds`: the kinds it fits."""
        version = TemplateVersion(number=1, status=VersionStatus.PUBLISHED, published_at=utcnow())
        for s, (title, items) in enumerate(spec, 1):
            section = Section(position=s, title=title)
            for i, (wording, answer_type, points, flags) in enumerate(items, 1):
                evidence = {"photo": EvidenceRule.PHOTO, "note": EvidenceRule.NOTE}
                rule = next((evidence[f] for f in flags.split() if f in evidence), EvidenceRule.NONE)
                na_kinds = next((f[3:].split(",") for f in flags.split() if f.startswith("na:")), [])
                section.items.append(Item(position=i, text=wording, answer_type=answer_type, max_points=Decimal(points),
                                          critical="critical" in flags, na_allowed="na" in flags.split(), evidence=rule,
                                          na_kinds=na_kinds))
            version.sections.append(section)
        with app.app_context():
            db.session.add(ChecklistTemplate(name=name or f"测试检查表{next(counter)}", versions=[version],
                                             school_kinds=list(school_kinds)))
            db.session.commit()
            return version.id

    return make


@pytest.fixture
def make_template(app):
    return template_maker(app)


def inspection_maker(app, make_template):
    def make(school_id: int, version_id: int | None = None, status=InspectionStatus.DRAFT, inspector_id=None) -> int:
        with app.app_context():
            inspection = Inspection(school_id=school_id, version_id=version_id or make_template(),
                                    visit_date=date(2026, 11, 20), status=status, inspector_id=inspector_id)
            db.session.add(inspection)
            db.session.commit()
            return inspection.id

    return make


@pytest.fixture
def make_inspection(app, make_template):
    return inspection_maker(app, make_template)


@pytest.fixture
def queries_for(app, client):
    """How many SQL statements one GET of `url` runs (list pages must not grow with their rows)."""
    def count(url: str) -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert client.get(url).status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    return count


HX = {"HX-Request": "true"}
HX_BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


# A draft inspection answered item by item (supervision, idempotency).
def items(app, inspection_id):
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        return db.session.scalars(
            select(Item).join(Item.section).where(Item.section.has(version_id=inspection.version_id))
            .order_by(Item.id)).all()


def answer_of(app, inspection_id, item_id):
    with app.app_context():
        return db.session.scalar(select(Answer).where(Answer.inspection_id == inspection_id, Answer.item_id == item_id))


@pytest.fixture
def setup(app, auth, make_school, make_inspection):
    """An inspector signed in, with a draft inspection at one of their schools."""
    school = make_school()
    inspector = auth.login_as(Role.INSPECTOR, schools=[school])
    inspection = make_inspection(school, inspector_id=inspector)
    points, rating, yes_no = (item.id for item in items(app, inspection))
    return dict(school=school, inspector=inspector, inspection=inspection, points=points, rating=rating,
                yes_no=yes_no, token=auth.token())


def save(client, setup, item, headers=HX, **fields):
    data = {"revision": "0", **fields}
    return client.post(f"/inspections/{setup['inspection']}/items/{setup[item]}", data=data,
                        headers={**headers, "X-CSRFToken": setup["token"]})


@pytest.fixture
def observation(app, auth, make_school):
    """An inspector signed in, with a lesson of theirs still open (推门听课), begun half an hour ago."""
    school = make_school()
    observer = auth.login_as(Role.INSPECTOR, schools=[school])
    with app.app_context():
        db.session.add(rubric.load_default_rubric())
        db.session.flush()
        started = utcnow() - timedelta(minutes=30)
        record = Observation(school_id=school, version=rubric.current()[0], observer_id=observer, started_at=started,
                             observed_on=started.date())
        db.session.add(record)
        db.session.commit()
        return record.id
