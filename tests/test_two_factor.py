"""The second factor of admin and leader accounts: TOTP enrolled by a QR code drawn on our server,
recovery codes kept hashed, the office's reset; all audited."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.auth import two_factor
from portal.config import Config
from portal.extensions import db
from portal.models import AuditLog, RecoveryCode, User

from .conftest import PASSWORD, csrf_token


def actions(app, user_id: int) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "user",
                                                               AuditLog.entity_id == str(user_id))).all()


def password_step(client, username: str, **extra):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, **extra})


def code_step(client, code: str, path: str = "/login/code"):
    return client.post(path, data={"code": code, "csrf_token": csrf_token(client, path)})


def step_ahead(secret: str, steps: int = 1) -> str:
    """The code of a later 30-s step (still accepted: one step of clock drift)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


@pytest.fixture
def required(app):
    app.config["TWO_FACTOR_REQUIRED"] = True


@pytest.fixture
def enrolled(app, make_user):
    """A leader with a second factor: (user id, username, secret)."""
    secret = pyotp.random_base32()
    uid = make_user("leader", username="lead")
    with app.app_context():
        user = db.session.get(User, uid)
        user.totp_secret = secret
        codes = two_factor.new_recovery_codes(user)
        db.session.commit()
    return uid, "lead", secret, codes


def test_the_setting_is_on_in_production_and_off_for_the_demo_and_tests(monkeypatch):
    monkeypatch.delenv("TWO_FACTOR_REQUIRED", raising=False)
    assert Config.for_env({"APP_ENV": "production", "SECRET_KEY": "x" * 40})["TWO_FACTOR_REQUIRED"] is True
    assert Config.for_env({"APP_ENV": "development"})["TWO_FACTOR_REQUIRED"] is False
    assert Config.for_env({"APP_ENV": "testing"})["TWO_FACTOR_REQUIRED"] is False
    monkeypatch.setenv("TWO_FACTOR_REQUIRED", "0")
    assert Config.for_env({"APP_ENV": "production", "SECRET_KEY": "x" * 40})["TWO_FACTOR_REQUIRED"] is False


def test_without_the_setting_admin_and_leader_sign_in_with_the_password_alone(client, make_user):
    """The demo accounts on `make run`: no phone needed."""
    make_user("admin", username="boss")
    assert password_step(client, "boss").headers["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.usefixtures("required")
def test_with_the_setting_an_admin_enrols_before_the_first_sign_in_completes(app, client, make_user):
    uid = make_user("admin", username="boss")
    assert password_step(client, "boss").headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not signed in by the password alone
    assert client.get("/login/code").headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in page and "两步验证二维码" in page and "https://" not in page  # drawn here, no outside service
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)[1]
    assert secret in client.get("/login/enrol").get_data(as_text=True)  # the same secret on reload
    wrong = code_step(client, "000000", "/login/enrol")
    assert wrong.status_code == 422 and "验证码不正确" in wrong.get_data(as_text=True)
    done = code_step(client, pyotp.TOTP(secret).now(), "/login/enrol")
    assert done.status_code == 200
    codes = re.findall(r"<code>([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert client.get("/").status_code == 200  # signed in
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.totp_secret == secret and user.totp_enrolled_at is not None
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == uid)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in h or code in h for code in codes for h in stored)
    assert {"login", "mfa_enrol"} <= set(actions(app, uid))


@pytest.mark.usefixtures("required")
def test_inspectors_and_principals_have_no_second_step(client, make_user, make_school):
    make_user("inspector", username="ins")
    make_user("principal", username="head", school_id=make_school())
    assert password_step(client, "ins").headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert password_step(client, "head").headers["Location"] == "/"
    assert client.get("/account/two-factor").status_code == 403


def test_an_enrolled_user_gives_a_code_each_time_and_each_code_once(app, client, enrolled):
    uid, username, secret, _ = enrolled  # the setting is off: enrolled users are asked all the same
    assert password_step(client, username).headers["Location"] == "/login/code"
    assert code_step(client, "123").status_code == 422
    code = pyotp.TOTP(secret).now()
    assert code_step(client, code).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    password_step(client, username)
    replayed = code_step(client, code)  # seen once, e.g. over a shoulder: not again
    assert replayed.status_code == 422 and "已经用过" in replayed.get_data(as_text=True)
    assert code_step(client, step_ahead(secret)).status_code == 303
    assert "mfa_fail" in actions(app, uid)


def test_a_recovery_code_works_once(app, client, enrolled):
    uid, username, _, codes = enrolled
    password_step(client, username)
    used = code_step(client, codes[3].lower().replace("-", " "))  # as someone types it
    assert used.headers["Location"] == "/"
    assert "还剩 9 个" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    password_step(client, username)
    assert code_step(client, codes[3]).status_code == 422


def test_guessing_codes_is_throttled_like_passwords(app, client, enrolled):
    _, username, secret, _ = enrolled
    password_step(client, username)
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT"] + 1):
        assert code_step(client, "000000").status_code == 422
    assert code_step(client, pyotp.TOTP(secret).now()).status_code == 429


def test_the_password_step_is_held_for_five_minutes_only(client, enrolled, monkeypatch):
    _, username, secret, _ = enrolled
    password_step(client, username)
    token = csrf_token(client, "/login/code")
    later = time.time() + two_factor.PENDING_SECONDS + 1
    monkeypatch.setattr(two_factor.time, "time", lambda: later)
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(later), "csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_new_recovery_codes_need_a_current_code_and_end_the_old_ones(app, client, enrolled):
    uid, username, secret, codes = enrolled
    password_step(client, username)
    code_step(client, pyotp.TOTP(secret).now())
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "已启用" in page and "剩余恢复码：10 个" in page
    token = csrf_token(client, "/account/two-factor")
    assert client.post("/account/two-factor/codes", data={"code": "000000", "csrf_token": token}).status_code == 422
    renewed = client.post("/account/two-factor/codes", data={"code": step_ahead(secret), "csrf_token": token})
    fresh = re.findall(r"<code>([A-Z2-9-]{19})</code>", renewed.get_data(as_text=True))
    assert renewed.status_code == 200 and len(fresh) == 10 and not set(fresh) & set(codes)
    assert "mfa_codes" in actions(app, uid)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    password_step(client, username)
    assert code_step(client, codes[0]).status_code == 422
    assert code_step(client, fresh[0]).status_code == 303


def test_a_leader_enrols_from_the_account_page_when_not_required(app, client, make_user):
    uid = make_user("leader", username="lead")
    password_step(client, "lead")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)[1]
    assert code_step(client, pyotp.TOTP(secret).now(), "/account/two-factor").status_code == 200
    with app.app_context():
        assert db.session.get(User, uid).totp_secret == secret


@pytest.mark.parametrize("setting", [True, False], ids=["required", "not required"])
def test_the_office_resets_a_lost_phone(app, client, auth, enrolled, setting):
    uid, username, secret, _ = enrolled
    app.config["TWO_FACTOR_REQUIRED"] = setting
    leader = app.test_client()
    password_step(leader, username)
    code_step(leader, pyotp.TOTP(secret).now())
    assert leader.get("/").status_code == 200
    app.config["TWO_FACTOR_REQUIRED"] = False  # the admin below signs in without one
    auth.login_as("admin")
    app.config["TWO_FACTOR_REQUIRED"] = setting
    assert "重置两步验证" in client.get(f"/users/{uid}/edit").get_data(as_text=True)
    response = client.post(f"/users/{uid}/two-factor/reset", data={"csrf_token": auth.token()})
    assert response.status_code == 303
    assert leader.get("/").status_code == 302  # signed out everywhere
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.totp_secret is None and not user.recovery_codes
    assert "mfa_reset" in actions(app, uid)
    expected = "/login/code" if setting else "/"  # required: enrol again first (the code step sends on to it)
    assert password_step(leader, username).headers["Location"] == expected


def test_signing_in_again_from_a_page_goes_through_the_second_step(client, enrolled):
    """A page's 重新登录 dialog (static/js/session.js) shows the sign-in page's #signin form and follows
    where it leads: with a second factor, the code's form, then /account/resumed."""
    _, username, secret, _ = enrolled
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    page = client.get(f"/login?next=/account/resumed&username={username}", headers=boosted).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    step = client.post("/login?next=/account/resumed", headers=boosted,
                       data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert step.status_code == 303 and step.headers["Location"].startswith("/login/code")
    code_page = client.get(step.headers["Location"], headers=boosted).get_data(as_text=True)
    assert 'id="signin"' in code_page and 'action="/login/code"' in code_page
    done = client.post("/login/code", headers=boosted,
                       data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(client, "/login/code")})
    assert done.status_code == 303 and done.headers["Location"] == "/account/resumed"
