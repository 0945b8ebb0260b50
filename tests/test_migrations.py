"""The schema comes from migrations: upgrade on an empty database, then no drift."""
import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from portal import create_app
from portal.config import ROOT
from portal.extensions import db

from .conftest import database_of_its_own


@pytest.fixture
def empty_database_url(tmp_path):
    with database_of_its_own(tmp_path) as url:
        yield url


def test_upgrade_from_empty_and_no_drift(empty_database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        tables = set(inspect(db.engine).get_table_names())
        assert {"school", "user", "audit_log", "attachment", "inspector_school", "login_failure"} <= tables
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()


def test_migrations_that_rebuild_a_table_keep_the_rows_that_refer_to_it(empty_database_url):
    """SQLite alters the inspection table by rebuilding it; its answers (ON DELETE CASCADE) must survive,
    down to before supervision rounds and back up again, and the submitted results are scored again."""
    from flask_migrate import downgrade

    from portal.demo import seed

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        migrations = str(ROOT / "migrations")
        upgrade(directory=migrations)
        seed()
        db.session.commit()
        count = "SELECT count(*) FROM inspection_answer"
        results = "SELECT id, percent, band FROM inspection WHERE percent IS NOT NULL ORDER BY id"
        with db.engine.connect() as conn:
            answers, scored = conn.execute(text(count)).scalar(), conn.execute(text(results)).all()
        assert answers > 0 and scored
        db.session.remove()
        downgrade(directory=migrations, revision="0004")
        with db.engine.connect() as conn:
            assert conn.execute(text(count)).scalar() == answers
        upgrade(directory=migrations)
        with db.engine.connect() as conn:
            assert conn.execute(text(count)).scalar() == answers
            assert conn.execute(text(results)).all() == scored
        db.engine.dispose()
