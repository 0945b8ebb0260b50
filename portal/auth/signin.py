"""Signing in: the password step, the second step (auth/two_factor.py) and the start of a session.

The password is checked outside any transaction. On SQLite a POST begins BEGIN IMMEDIATE (see
configure_sqlite): holding that through a ~170 ms argon2 hash made sign-ins run one at a time
and every autosave wait behind them. So: read (throttle, account), end the transaction, hash,
then write what follows in a short transaction of its own.
"""
from dataclasses import dataclass

from flask import session
from flask_login import login_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import User, log_event
from . import passwords, throttle, two_factor


@dataclass(frozen=True)
class Attempt:
    user: User | None  # who it was; None: refused
    wait: int = 0      # seconds to wait first (throttled: nothing was checked)
    kind: str = "password"  # what was checked: "password", or a second step's "totp" or "recovery"


def check_password(username: str, password: str, address: str) -> Attempt:
    """One sign-in attempt. Every refusal after the throttle costs the same one argon2 verification,
    whether the account is unknown, deactivated or the password wrong. The failure is recorded (and
    committed) here, and so is a success (the account's failures cleared, a weaker hash upgraded): the
    session is the caller's (begin_session, or two_factor.hold for a second step)."""
    name = username.strip()
    wait = throttle.wait(name, address)
    if wait:
        return Attempt(None, wait)
    user = db.session.scalar(select(User).where(func.lower(User.username) == name.lower()))
    stored, active = (user.password_hash, user.active) if user is not None else (None, False)
    db.session.commit()  # no lock held while hashing (see the module's docstring)
    matches, upgraded = passwords.check(stored, password)
    if not (matches and active):
        throttle.record_failure(name, address)
        db.session.commit()
        return Attempt(None)
    if upgraded:
        user.password_hash = upgraded
    throttle.clear_account(name)
    db.session.commit()
    return Attempt(user)


def check_code(user: User, code: str, address: str) -> Attempt:
    """The second step: a TOTP or recovery code (two_factor.verify), throttled as passwords are, by
    the account and the address (six digits must not be guessed at leisure). Committed."""
    wait = throttle.wait(user.username, address)
    if wait:
        return Attempt(None, wait)
    kind = two_factor.verify(user, code)
    if kind is None:
        throttle.record_failure(user.username, address)
        log_event("user", user.id, "mfa_fail", school_id=user.school_id, address=address)
        db.session.commit()
        return Attempt(None)
    throttle.clear_account(user.username)
    db.session.commit()
    return Attempt(user, kind=kind)


def begin_session(user: User, remember: bool, address: str, **details) -> None:
    """The user is who they say: a fresh session (nothing kept from before signing in), audited.
    Not committed."""
    session.clear()
    session.permanent = not remember
    login_user(user, remember=remember)
    log_event("user", user.id, "login", school_id=user.school_id, address=address, **details)
