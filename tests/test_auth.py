import json
import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from flask import has_request_context
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal import create_app
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


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand."""
    from portal.auth import throttle

    now = [datetime.now(UTC)]
    monkeypatch.setattr(throttle, "utcnow", lambda: now[0])
    return SimpleNamespace(advance=lambda seconds: now.__setitem__(0, now[0] + timedelta(seconds=seconds)))


def test_failures_past_the_free_ones_delay_the_account_never_lock_it(auth, make_user, app, clock):
    make_user("admin", username="boss")
    free = app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT"]
    for _ in range(free + 1):
        assert auth.login("boss", "nope").status_code == 422
    waiting = auth.login("boss")  # even the right password waits: nothing is checked meanwhile
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert "请 1 秒后再试" in waiting.get_data(as_text=True)
    token = csrf_token(auth.client)
    boosted = auth.client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token},
                               headers=HX_BOOSTED)
    assert boosted.status_code == 429  # htmx swaps no 429: the message comes as the error toast
    assert "请 1 秒后再试" in json.loads(boosted.headers["HX-Trigger"])["app-error"]["message"]
    clock.advance(1)
    assert auth.login("boss", "nope").status_code == 422
    assert auth.login("boss").headers["Retry-After"] == "2"  # each failure doubles the wait
    clock.advance(2)
    assert auth.login("boss").status_code == 303  # the owner gets in: someone else's guesses only delay them


def test_the_delay_stops_growing_at_its_longest(auth, make_user, app, clock):
    make_user("admin", username="boss")
    app.config.update(LOGIN_FREE_FAILURES_PER_ACCOUNT=0, LOGIN_MAX_DELAY_SECONDS=60)
    for _ in range(12):
        assert auth.login("boss", "nope").status_code == 422
        clock.advance(60)
    assert auth.login("boss", "nope").status_code == 422
    assert auth.login("boss").headers["Retry-After"] == "60"


def test_throttle_counts_case_insensitively_and_per_address(auth, make_user, app):
    make_user("admin", username="boss")
    app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 3
    for name in ("a1", "b2", "BOSS", "c3"):
        auth.login(name, "nope")
    assert auth.login("boss").status_code == 429


def test_signing_in_does_not_reset_the_address_count(auth, make_user, app, clock):
    """One's own account signing in between guesses at others' must not clear the address's failures."""
    make_user("leader", username="mine")
    app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 3
    for name in ("a1", "b2", "c3"):
        assert auth.login(name, "nope").status_code == 422
    assert auth.login("mine").status_code == 303
    auth.client.post("/logout", data={"csrf_token": auth.token()})
    assert auth.login("d4", "nope").status_code == 422
    assert auth.login("e5", "nope").status_code == 429


def test_the_client_address_honours_proxy_count(make_user, app, clock):
    make_user("admin", username="boss")
    app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 1

    def attempt(proxies: int, forwarded: str) -> int:
        app.config["PROXY_COUNT"] = proxies
        other = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "PROXY_COUNT": proxies, "LOGIN_FREE_FAILURES_PER_ADDRESS": 1})
        client = other.test_client()
        token = csrf_token(client)
        code = client.post("/login", data={"username": f"x{forwarded}", "password": "nope", "csrf_token": token},
                           headers={"X-Forwarded-For": forwarded}).status_code
        with other.app_context():
            db.engine.dispose()
        return code

    # Without a proxy in front, a forged X-Forwarded-For changes nothing: all of these are one address.
    assert [attempt(0, forwarded) for forwarded in ("10.0.0.1", "10.0.0.2", "10.0.0.3")] == [422, 422, 429]
    # Behind one proxy, the proxy's X-Forwarded-For is the client: schools behind their own NATs count apart.
    assert [attempt(1, forwarded) for forwarded in ("10.1.0.1", "10.1.0.2", "10.1.0.1")] == [422, 422, 422]
    assert attempt(1, "10.1.0.1") == 429


def test_throttle_is_stored_in_the_database(auth, make_user, app):
    """Shared by every gunicorn worker: a second app instance sees the same failures."""
    make_user("admin", username="boss")
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT"] + 1):
        auth.login("boss", "nope")
    # The other instance lets no failure go free, so the wait its stored failures impose (32 s) outlasts
    # making it under any load (with the same setting the wait was 1 s and sometimes over: a 303).
    other = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "LOGIN_FREE_FAILURES_PER_ACCOUNT": 0})
    other_client = other.test_client()
    token = csrf_token(other_client)
    response = other_client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def argon2_work(monkeypatch):
    """Every argon2 hash or verification made: whether a transaction was open meanwhile, and whether
    another connection could have written at that moment."""
    seen = []

    def observe():
        if has_request_context():
            seen.append({"in_transaction": db.session().in_transaction(), "others_can_write": _others_can_write()})

    for name in ("hash", "verify"):
        original = getattr(PasswordHasher, name)
        monkeypatch.setattr(PasswordHasher, name,
                            lambda self, *args, _original=original: (observe(), _original(self, *args))[1])
    return seen


def _others_can_write() -> bool:
    """On SQLite: may another connection take the write lock right now, without waiting?"""
    if db.engine.dialect.name != "sqlite":
        return True
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_passwords_are_hashed_outside_any_transaction(auth, make_user, argon2_work, client):
    """A sign-in held SQLite's write lock through its whole hash (≈170 ms): sign-ins ran one at a
    time and every autosave waited behind them. Now nothing is held while hashing."""
    make_user("leader", username="lead")
    assert auth.login("lead", "wrong").status_code == 422
    assert auth.login("nobody").status_code == 422
    assert auth.login("lead").status_code == 303
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "a-new-secret-1", "confirm": "a-new-secret-1", "csrf_token": auth.token()})
    assert response.status_code == 303
    assert len(argon2_work) == 5  # three sign-ins, then the current password checked and the new one hashed
    assert all(w == {"in_transaction": False, "others_can_write": True} for w in argon2_work), argon2_work


@pytest.mark.parametrize("case", ["unknown", "deactivated", "wrong password", "right password"])
def test_every_answer_costs_one_argon2_verification(auth, make_user, argon2_work, case):
    """Constant-time answers (without timing anything): an unknown or deactivated account costs the
    same one verification as a wrong password, so the time of the answer does not tell them apart."""
    make_user("inspector", username="here")
    make_user("inspector", username="gone", active=False)
    name, password = {"unknown": ("nobody", "x"), "deactivated": ("gone", PASSWORD),
                      "wrong password": ("here", "x"), "right password": ("here", PASSWORD)}[case]
    expected = 303 if case == "right password" else 422
    assert auth.login(name, password).status_code == expected
    assert len(argon2_work) == 1


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
    response = client.post("/login", data={"username": "boss", "password": PASSWORD})
    assert response.status_code == 422 and "登录页已过期" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    auth.login("boss")
    response = client.post("/logout", headers=HX)
    assert response.status_code == 400
    assert "app-error" in response.headers["HX-Trigger"]
    token = auth.token()
    assert client.post("/logout", headers={**HX, "X-CSRFToken": token}).status_code == 303


def test_a_sign_in_page_whose_session_was_replaced_asks_only_for_the_password_again(client, make_user):
    """Signed out in another tab, or another request began a new session after the page was opened."""
    make_user("inspector", username="ins")
    stale = csrf_token(client)
    client.delete_cookie("session")
    client.get("/login?next=/visits/new")  # a new session, with a token of its own
    response = client.post("/login", data={"username": "ins", "password": PASSWORD, "csrf_token": stale})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "登录页已过期，请再输入一次密码后登录。" in html and 'value="ins"' in html
    assert PASSWORD not in html  # the password is typed again, never sent back
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"username": "ins", "password": PASSWORD, "csrf_token": fresh})
    assert response.status_code == 303 and client.get("/").status_code == 200


def test_a_scripts_request_while_signed_out_leaves_the_session_alone(client):
    """The service worker keeping a page after sign-out: a 401, not a redirect whose flash (or the
    sign-in page after it) would begin a new session and refuse the sign-in form open in the tab."""
    csrf_token(client)  # the sign-in page open: a session with its token
    session = client.get_cookie("session").value
    response = client.get("/inspections/1/fill", headers={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"})
    assert response.status_code == 401 and "Set-Cookie" not in response.headers
    assert client.get_cookie("session").value == session
    assert client.get("/inspections/1/fill", headers={"Sec-Fetch-Mode": "navigate",
                                                      "Sec-Fetch-Dest": "document"}).status_code == 302
    assert client.get("/files/1", headers={"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}).status_code == 302


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



def test_signing_out_ends_the_session_cookie_for_real(client, auth):
    auth.login_as("inspector")
    assert client.get("/").status_code == 200
    copied = client.get_cookie("session").value  # e.g. left in a shared machine's browser profile
    client.post("/logout", data={"csrf_token": auth.token()})
    client.set_cookie("session", copied)
    assert client.get("/").status_code == 302


def test_remember_me_cookie_stops_working_after_sign_out_and_lives_two_weeks(app, client, auth, make_user):
    make_user("inspector", username="ins")
    token = csrf_token(client)
    client.post("/login", data={"username": "ins", "password": PASSWORD, "remember": "y", "csrf_token": token})
    remember = client.get_cookie("remember_token")
    lifetime = remember.expires - datetime.now(UTC)
    assert timedelta(days=13) < lifetime <= timedelta(days=14)
    client.delete_cookie("session")  # the browser closed: the remember-me cookie signs in again
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": auth.token()})
    client.delete_cookie("session")
    client.set_cookie("remember_token", remember.value)
    assert client.get("/").status_code == 302
