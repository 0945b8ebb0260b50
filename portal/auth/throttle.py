"""Sign-in throttling: a growing delay per account and per address, stored in the database (shared
by workers).

Nothing is ever locked. After an account's (or an address's) free failures, each further failure
makes the next attempt wait: 1 s, 2 s, 4 s ... up to LOGIN_MAX_DELAY_SECONDS. The owner who knows
the password waits at most that long, however many guesses someone else makes; a guesser gets about
one try a delay. A successful sign-in forgets its account's failures, never its address's (or one
account's sign-in would open the door to guesses at all the others). Failures are forgotten after
LOGIN_FAILURE_WINDOW_MINUTES.

The address is the client's as Werkzeug sees it: behind a proxy, PROXY_COUNT must say how many
proxies there are, or every sign-in in the county comes from the proxy's address.
"""
from datetime import datetime, timedelta
from ipaddress import ip_address

from flask import current_app, request
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginFailure, utcnow


def delay(failures: int, free: int, longest: int) -> int:
    """Seconds to wait after `failures` failures of which `free` cost nothing."""
    if failures <= free:
        return 0
    return min(2 ** min(failures - free - 1, 30), longest)


def client_address() -> str:
    """The client's address (after ProxyFix when PROXY_COUNT is set)."""
    address = request.remote_addr or "?"
    if not current_app.config["PROXY_COUNT"] and "X-Forwarded-For" in request.headers and _is_local(address):
        current_app.logger.warning("X-Forwarded-For from %s while PROXY_COUNT=0: every sign-in seems to come from "
                                   "the proxy; set PROXY_COUNT to the number of proxies in front", address)
    return address


def _is_local(address: str) -> bool:
    try:
        return ip_address(address).is_loopback or ip_address(address).is_private
    except ValueError:
        return False


def _keys(username: str, address: str) -> dict[str, str]:
    return {"account": _account(username), "address": f"addr:{address}"}


def _account(username: str) -> str:
    return f"user:{username.strip().lower()}"


def _window_start() -> datetime:
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def wait(username: str, address: str) -> int:
    """Seconds before this account may be tried from this address (0: now)."""
    cfg, now = current_app.config, utcnow()
    free = {"account": cfg["LOGIN_FREE_FAILURES_PER_ACCOUNT"], "address": cfg["LOGIN_FREE_FAILURES_PER_ADDRESS"]}
    longest = 0.0
    for kind, key in _keys(username, address).items():
        count, last = db.session.execute(select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at >= _window_start())).one()
        pause = delay(count, free[kind], cfg["LOGIN_MAX_DELAY_SECONDS"])
        if pause:
            longest = max(longest, (last + timedelta(seconds=pause) - now).total_seconds())
    return max(0, int(longest + 0.999))


def record_failure(username: str, address: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < _window_start()))
    now = utcnow()
    db.session.add_all(LoginFailure(key=key, at=now) for key in _keys(username, address).values())


def clear_account(username: str) -> None:
    """A successful sign-in: the account's failures are forgotten (the address's are not)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == _account(username)))
