import pytest

from portal import create_app
from portal.config import Config, check

from .conftest import HX


def test_production_refuses_weak_secret():
    settings = Config.for_env({"APP_ENV": "production", "SECRET_KEY": "changeme"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check(settings)


def test_production_accepts_real_secret():
    check(Config.for_env({"APP_ENV": "production", "SECRET_KEY": "x" * 40}))


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_signed_in_pages_are_not_cached(client, auth):
    auth.login_as("admin")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_htmx_is_served_locally(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "http://" not in html and "https://" not in html
    with client.get("/static/vendor/htmx-2.0.11.min.js") as script:
        assert script.status_code == 200 and b"htmx" in script.data


def test_404_page_in_chinese(client, auth):
    auth.login_as("admin")
    response = client.get("/schools/999999")
    assert response.status_code == 404
    assert "不存在" in response.get_data(as_text=True)


def test_htmx_error_path_sends_message_event(client, auth):
    auth.login_as("admin")
    response = client.get("/schools/999999", headers=HX)
    assert response.status_code == 404
    assert response.get_data() == b""
    assert "app-error" in response.headers["HX-Trigger"]


def test_sqlite_pragmas(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    from portal.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_create_app_without_overrides_uses_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "testing")
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_PROTECTION"] == "basic"
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


@pytest.mark.parametrize("url", ["/schools/99999999999999999999", "/users/99999999999999999999/edit",
                                 "/files/99999999999999999999"])
def test_ids_beyond_any_column_are_404_not_500(client, auth, url):
    auth.login_as("admin")
    assert client.get(url).status_code == 404


def test_county_home_lists_school_kinds_in_school_order(client, auth, make_school):
    from portal.models import SchoolKind

    for kind in (SchoolKind.SENIOR, SchoolKind.KINDERGARTEN, SchoolKind.JUNIOR, SchoolKind.PRIMARY):
        make_school(kind=kind)
    auth.login_as("leader")
    html = client.get("/").get_data(as_text=True)
    positions = [html.index(f">{label}</a>") for label in ("幼儿园", "小学", "初中", "高中")]
    assert positions == sorted(positions)


def test_wtforms_own_messages_are_in_chinese(app):
    from portal.schools.forms import SchoolForm

    with app.test_request_context(method="POST", data={"students": "三百"}):
        form = SchoolForm(meta={"csrf": False})
        assert not form.validate()
        assert form.students.errors[0] == "不是有效的整数。"  # not "Not a valid integer value."


def test_a_nul_character_is_refused_before_any_view_reads_it(client, auth):
    """PostgreSQL cannot hold or compare NUL: a search or a form carrying one is a 400, never a 500."""
    from portal.models import Role

    auth.login_as(Role.ADMIN)
    assert client.get("/inspections/?q=a%00b").status_code == 400
    assert client.post("/account/password", data={"csrf_token": auth.token(), "current": "x\x00"}).status_code == 400
    assert client.get("/inspections/?q=ab").status_code == 200
