import json
import re
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import AuditLog, User

from .conftest import HX, HX_BOOSTED, PASSWORD, csrf_token


def test_login_page_is_chinese(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "登录" in html


def test_good_login_lands_on_home(auth, client, make_school):
    auth.login_as("principal", school_id=make_school(name="城东实验小学"))
    home = client.get("/").get_data(as_text=True)
    assert "城东实验小学" in home


def test_wrong_password_422_with_message_beside_field(auth, make_user, client, app):
    make_user("admin", username="boss")
    response = auth.login("boss", "wrong-password")
    assert response.status_code == 422
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_sign_in(auth, make_user):
    make_user("admin", username="gone", active=False)
    assert auth.login("gone").status_code == 422


@pytest.mark.parametrize("target,expected", [
    ("/schools/", "/schools/"),
    ("/schools/?q=%E5%9F%8E", "/schools/?q=%E5%9F%8E"),
    ("https://evil.example/steal", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_is_only_followed_inside_the_site(auth, make_user, client, target, expected):
    make_user("admin", username="boss")
    token = csrf_token(client)
    response = client.post("/login", query_string={"next": target},
                           data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_and_back(client):
    response = client.get("/schools/?q=abc")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/schools/?q%3Dabc")


def test_expired_session_htmx_fragment_asks_to_sign_in_again_in_place(client):
    """A fragment request (an autosave, a search) is never sent away: the page keeps what was typed
    and offers the sign-in form in a dialog (static/js/session.js)."""
    response = client.get("/schools/?q=x", headers={**HX, "HX-Current-URL": "http://localhost/schools/?q=x"})
    assert response.status_code == 401
    assert "HX-Redirect" not in response.headers and response.headers["HX-Reswap"] == "none"
    assert "session-ended" in json.loads(response.headers["HX-Trigger"])


def test_expired_session_boosted_navigation_goes_to_login(client):
    response = client.get("/schools/", headers={**HX_BOOSTED, "HX-Current-URL": "http://localhost/schools/"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=/schools/")


def test_signing_in_again_from_a_page_hands_it_the_new_token(app, client, make_user):
    make_user("inspector", username="duxue9")
    page = client.get("/login?next=/account/resumed&username=duxue9").get_data(as_text=True)
    assert 'id="signin"' in page and 'value="duxue9"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    signed_in = client.post("/login?next=/account/resumed", data={"username": "duxue9", "password": PASSWORD,
                                                                  "csrf_token": token}, headers=HX_BOOSTED)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/account/resumed"
    resumed = client.get("/account/resumed", headers=HX_BOOSTED).get_data(as_text=True)
    fresh = re.search(r'data-csrf="([^"]+)"', resumed).group(1)
    assert 'data-session-resumed data-user="duxue9"' in resumed
    assert client.get("/", headers={"X-CSRFToken": fresh}).status_code == 200


def test_a_token_from_before_a_new_sign_in_is_fetched_anew_not_refused_as_forged(auth, client):
    auth.login_as("inspector")
    response = client.post("/account/password", data={}, headers={**HX, "X-CSRFToken": "stale-token"})
    assert response.status_code == 400
    assert "csrf-expired" in json.loads(response.headers["HX-Trigger"])
    plain = client.post("/account/password", data={}, headers={"X-CSRFToken": "stale-token"})
    assert plain.status_code == 400 and "页面已过期" in plain.get_data(as_text=True)


def test_throttled_after_repeated_failures_per_account(auth, make_user, app):
    make_user("admin", username="boss")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert auth.login("boss", "nope").status_code == 422
    locked = auth.login("boss")  # even the right password waits now
    assert locked.status_code == 429
    assert "15 分钟" in locked.get_data(as_text=True)


def test_throttle_counts_case_insensitively_and_per_address(auth, make_user, app):
    make_user("admin", username="boss")
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for name in ("a1", "b2", "BOSS"):
        auth.login(name, "nope")
    assert auth.login("boss").status_code == 429


def test_throttle_is_stored_in_the_database(auth, make_user, app):
    """Shared by every gunicorn worker: a second app instance sees the same failures."""
    from portal import create_app

    make_user("admin", username="boss")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        auth.login("boss", "nope")
    other = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other_client = other.test_client()
    token = csrf_token(other_client)
    response = other_client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    with other.app_context():
        db.engine.dispose()


def test_password_hash_is_argon2id(make_user, app):
    uid = make_user("admin")
    with app.app_context():
        assert db.session.get(User, uid).password_hash.startswith("$argon2id$")


def test_legacy_and_weak_hashes_upgraded_at_sign_in(auth, make_user, app):
    uid = make_user("admin", username="old")
    with app.app_context():
        db.session.get(User, uid).password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256")
        db.session.commit()
    assert auth.login("old").status_code == 303
    with app.app_context():
        stored = db.session.get(User, uid).password_hash
    assert stored.startswith("$argon2id$")
    assert not PasswordHasher(time_cost=app.config["ARGON2_TIME_COST"],
                              memory_cost=app.config["ARGON2_MEMORY_KIB"], parallelism=1).check_needs_rehash(stored)


def test_production_strength_parameters():
    from portal.config import Config

    settings = Config.for_env({"APP_ENV": "production", "SECRET_KEY": "x" * 40})
    assert settings["ARGON2_MEMORY_KIB"] >= 19 * 1024 and settings["ARGON2_TIME_COST"] >= 2


def test_csrf_enforced_on_login_and_htmx_posts(client, auth, make_user):
    make_user("admin", username="boss")
    assert client.post("/login", data={"username": "boss", "password": PASSWORD}).status_code == 400
    auth.login("boss")
    response = client.post("/logout", headers=HX)
    assert response.status_code == 400
    assert "app-error" in response.headers["HX-Trigger"]
    token = auth.token()
    assert client.post("/logout", headers={**HX, "X-CSRFToken": token}).status_code == 303


def test_logout_is_post_only(client, auth):
    auth.login_as("leader")
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": auth.token()})
    assert client.get("/").status_code == 302


def test_login_and_logout_are_audited(client, auth, app):
    uid = auth.login_as("leader")
    client.post("/logout", data={"csrf_token": auth.token()})
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "user",
                                                                  AuditLog.entity_id == str(uid))).all()
    assert "login" in actions and "logout" in actions


def test_session_cookie_flags(client, auth):
    auth.login_as("admin")
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_session_ends_after_twelve_idle_hours_and_is_renewed_every_few_minutes(auth, client, monkeypatch):
    auth.login_as("inspector")
    client.get("/")  # the first page adds the CSRF token to the session
    response = client.get("/")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers  # just signed: not again
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 11 * 3600)
    response = client.get("/")
    assert response.status_code == 200 and "session=" in response.headers["Set-Cookie"]  # renewed
    monkeypatch.setattr(time, "time", lambda: now + 22 * 3600)
    assert client.get("/").status_code == 200  # 11 hours after the renewal
    monkeypatch.setattr(time, "time", lambda: now + 35 * 3600)
    assert client.get("/").status_code == 302  # 13 idle hours: signed out


def test_changing_password_ends_other_sessions(app, auth, client):
    uid = auth.login_as("inspector")
    with app.app_context():
        username = db.session.get(User, uid).username
    other = app.test_client()
    token = csrf_token(other)
    assert other.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 303
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "a-new-secret-1", "confirm": "a-new-secret-1", "csrf_token": auth.token()})
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302   # the other one ended


@pytest.mark.parametrize("data,message", [
    ({"current": "wrong", "new": "a-new-secret-1", "confirm": "a-new-secret-1"}, "当前密码不正确"),
    ({"current": PASSWORD, "new": "short", "confirm": "short"}, "至少 8 位"),
    ({"current": PASSWORD, "new": "a-new-secret-1", "confirm": "different-1"}, "不一致"),
])
def test_password_change_validation(auth, client, app, data, message):
    uid = auth.login_as("leader")
    with app.app_context():
        before = db.session.get(User, uid).password_hash
    response = client.post("/account/password", data={**data, "csrf_token": auth.token()})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).password_hash == before


def test_post_after_session_ended_asks_to_sign_in_not_csrf_error(client):
    response = client.post("/schools/new", data={"csrf_token": "stale"}, headers={
        **HX, "HX-Current-URL": "http://localhost/schools/new"})
    assert response.status_code == 401
    assert "session-ended" in json.loads(response.headers["HX-Trigger"])
    boosted = client.post("/schools/new", data={"csrf_token": "stale"}, headers={
        **HX_BOOSTED, "HX-Current-URL": "http://localhost/schools/new"})
    assert boosted.status_code == 401 and boosted.headers["HX-Redirect"] == "/login?next=/schools/new"
