"""Sign-in throttling per account and per address, stored in the database (shared by workers)."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginFailure, utcnow


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{username.strip().lower()}", f"addr:{address}"


def _since():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def _failures(key: str) -> int:
    stmt = select(func.count()).where(LoginFailure.key == key, LoginFailure.at >= _since())
    return db.session.scalar(stmt) or 0


def is_locked(username: str, address: str) -> bool:
    cfg = current_app.config
    user_key, addr_key = _keys(username, address)
    return (
        _failures(user_key) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _failures(addr_key) >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def record_failure(username: str, address: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < _since()))
    db.session.add_all(LoginFailure(key=key) for key in _keys(username, address))


def clear(username: str, address: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.key.in_(_keys(username, address))))
