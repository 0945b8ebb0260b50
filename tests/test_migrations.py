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


def test_0009_scores_submitted_inspections_as_scoring_does(empty_database_url):
    """0009 scores, with its own copy of the rules, inspections submitted before it: the percent, band
    and critical failure it stores are what the app's scoring gives for the same answers."""
    from datetime import date, datetime, timezone
    from decimal import Decimal
    from types import SimpleNamespace

    from sqlalchemy import JSON, Boolean, Numeric, String, column, insert, select, table

    from portal.models import AnswerType
    from portal.models.checklist import DEFAULT_BANDS, DEFAULT_BELOW
    from portal.supervision import scoring, sheet

    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    stamps = dict(created_at=now, updated_at=now)
    custom = ([[85, "好"], [70, "中"]], "差")
    # Items: (id, version, answer type, max points, critical); answers per inspection: {item: (value, na)}.
    items = [(1, 1, "POINTS", 10, False), (2, 1, "RATING", 6, False), (3, 1, "GRADE", 4, False),
             (4, 1, "YES_NO", 5, True), (5, 1, "POINTS", 3, False), (6, 2, "POINTS", 10, False), (7, 2, "RATING", 10, True)]
    inspections = {  # id: (version, status, answers)
        1: (1, "SUBMITTED", {1: ("9", False), 2: ("达标", False), 3: ("良", False), 4: ("是", False), 5: ("3", False)}),
        2: (1, "APPROVED", {1: ("10", False), 2: ("达标", False), 3: ("优", False), 4: ("否", False), 5: ("3", False)}),
        3: (1, "SUBMITTED", {1: ("abc", False), 2: (None, True), 3: ("合格", False), 5: ("2", False)}),
        4: (1, "SUBMITTED", {n: (None, True) for n in range(1, 6)}),
        5: (1, "DRAFT", {1: ("10", False)}),
        6: (2, "SUBMITTED", {6: ("7.5", False), 7: ("基本达标", False)}),
    }
    tables = {name: table(name, *(column(c, JSON) if c == "bands" else column(c) for c in columns.split()))
              for name, columns in {
        "school": "id code name kind ownership township education_group is_project_school students classes teachers "
                  "active created_at updated_at",
        "checklist_template": "id name description created_at updated_at",
        "template_version": "id template_id number status bands below_band created_at updated_at",
        "checklist_section": "id version_id position title",
        "checklist_item": "id section_id position text standard answer_type max_points na_allowed critical evidence",
        "inspection": "id school_id version_id visit_date status review_comment created_at updated_at",
        "inspection_answer": "id inspection_id item_id value na note revision updated_at",
    }.items()}

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        migrations = str(ROOT / "migrations")
        upgrade(directory=migrations, revision="0008")
        with db.engine.begin() as conn:
            conn.execute(insert(tables["school"]), [dict(
                id=1, code="360101", name="甲小学", kind="PRIMARY", ownership="PUBLIC", township="", education_group="",
                is_project_school=False, students=1, classes=1, teachers=1, active=True, **stamps)])
            conn.execute(insert(tables["checklist_template"]), [dict(id=1, name="检查表", description="", **stamps)])
            conn.execute(insert(tables["template_version"]), [
                dict(id=1, template_id=1, number=1, status="PUBLISHED", bands=DEFAULT_BANDS, below_band=DEFAULT_BELOW,
                     **stamps),
                dict(id=2, template_id=1, number=2, status="PUBLISHED", bands=custom[0], below_band=custom[1], **stamps)])
            conn.execute(insert(tables["checklist_section"]), [dict(id=1, version_id=1, position=1, title="一"),
                                                               dict(id=2, version_id=2, position=1, title="一")])
            conn.execute(insert(tables["checklist_item"]), [dict(
                id=n, section_id=version, position=n, text=f"项{n}", standard="", answer_type=kind,
                max_points=points, na_allowed=True, critical=critical, evidence="NONE")
                for n, version, kind, points, critical in items])
            conn.execute(insert(tables["inspection"]), [dict(
                id=n, school_id=1, version_id=version, visit_date=date(2026, 11, 1), status=status, review_comment="",
                **stamps) for n, (version, status, _) in inspections.items()])
            conn.execute(insert(tables["inspection_answer"]), [dict(
                inspection_id=n, item_id=item, value=value, na=na, note="", revision=1, updated_at=now)
                for n, (_, _, answers) in inspections.items() for item, (value, na) in answers.items()])
        upgrade(directory=migrations, revision="0009")
        result = table("inspection", column("id"), column("percent", Numeric(5, 1)), column("band", String),
                       column("critical_failed", Boolean))
        with db.engine.connect() as conn:
            stored = {row.id: (row.percent, row.band, row.critical_failed) for row in conn.execute(select(result))}
        db.engine.dispose()

    def today(version: int, answers: dict) -> tuple:
        """What the live scoring gives for these answers."""
        rules = [scoring.ItemRule(n, Decimal(points), AnswerType[kind], critical)
                 for n, of, kind, points, critical in items if of == version]
        given = {rule.id: sheet.given(rule, SimpleNamespace(value=answers[rule.id][0], na=answers[rule.id][1]))
                 for rule in rules if rule.id in answers}
        total = scoring.score(rules, given, *(custom if version == 2 else (DEFAULT_BANDS, DEFAULT_BELOW)))
        return total.percent, total.band, bool(total.critical_failures)

    assert stored[5] == (None, None, False)  # a draft is not scored
    assert stored[2][1:] == (DEFAULT_BELOW, True) and stored[4] == (None, None, False)
    for n, (version, status, answers) in inspections.items():
        if status != "DRAFT":
            assert stored[n] == today(version, answers), n
