"""The second factor of admin and leader accounts (ASVS level 2): TOTP (RFC 6238, pyotp) enrolled by
a QR code drawn here (segno, SVG: nothing leaves the server), and one-time recovery codes.

- A user who has enrolled gives a code after the password, every time (whatever the setting).
- With TWO_FACTOR_REQUIRED (default on in production), an admin or leader who has not enrolled
  enrols before the first sign-in completes; without it, they may enrol from their account.
- A TOTP code is accepted within one 30-s step either side (clock drift), each step once only.
- Ten recovery codes, each good once, kept as salted SHA-256 hashes: they are 80 random bits, so a
  slow hash adds nothing (ASVS 2.6.2) and checking ten stays instant.
- The office resets a user's second factor (lost phone): enrolment starts over and every session ends.
"""
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from flask import current_app, session
from markupsafe import Markup

from ..extensions import db
from ..models import RecoveryCode, User, utcnow
from ..security import Action, allowed

RECOVERY_CODES = 10
PENDING_SECONDS = 5 * 60  # between the password and the code
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread


def offered(user: User) -> bool:
    return allowed(user, Action.SECOND_FACTOR)


def enrolled(user: User) -> bool:
    return user.totp_secret is not None


def must_enrol(user: User) -> bool:
    return not enrolled(user) and current_app.config["TWO_FACTOR_REQUIRED"] and offered(user)


def asked_of(user: User) -> bool:
    """Whether signing in takes a second step for this user: a code, or enrolling first."""
    return enrolled(user) or must_enrol(user)


# Enrolment

def candidate_secret() -> str:
    """The secret being enrolled, kept in the session until confirmed, so the QR code stays the same
    on reload. (The session cookie is signed and HttpOnly; whoever could read it could use the
    session itself.)"""
    if "enrolling" not in session:
        session["enrolling"] = pyotp.random_base32()
    return session["enrolling"]


def qr_code(user: User, secret: str) -> Markup:
    """The otpauth:// URI for an authenticator app, as an inline SVG QR code."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, title="两步验证二维码"))


def enrol(user: User, secret: str, code: str) -> list[str] | None:
    """Confirm enrolment with a code from the app (proves it holds `secret`): the secret is kept and
    new recovery codes returned (shown once). None when the code is wrong. Not committed."""
    step = _matching_step(secret, code, None)
    if step is None:
        return None
    session.pop("enrolling", None)
    user.totp_secret, user.totp_enrolled_at, user.totp_last_step = secret, utcnow(), step
    return new_recovery_codes(user)


def reset(user: User) -> None:
    """The office's reset (lost phone): no second factor until enrolled again, every session ended."""
    user.totp_secret = user.totp_enrolled_at = user.totp_last_step = None
    user.recovery_codes.clear()
    user.end_sessions()


# Codes

def verify(user: User, code: str) -> str | None:
    """'totp' or 'recovery' when `code` is a current TOTP code not used before or an unused recovery
    code (then used up); None otherwise. Not committed."""
    if not enrolled(user):
        return None
    step = _matching_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "totp"
    if _use_recovery_code(user, code):
        return "recovery"
    return None


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step (now, or one either side) whose code `code` is, if after `last_step`."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp, now = pyotp.TOTP(secret), time.time()
    for drift in (0, -1, 1):
        step = int(now // totp.interval) + drift
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the new ones in clear, to show once. Not committed."""
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
             for _ in range(RECOVERY_CODES)]
    user.recovery_codes[:] = [RecoveryCode(code_hash=_hash(code)) for code in codes]
    return codes


def recovery_codes_left(user: User) -> int:
    return sum(code.used_at is None for code in user.recovery_codes)


def _normal(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def _hash(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + _normal(code)).encode()).hexdigest()}"


def _use_recovery_code(user: User, code: str) -> bool:
    if len(_normal(code)) != 16:
        return False
    for stored in user.recovery_codes:
        salt = stored.code_hash.partition("$")[0]
        if stored.used_at is None and hmac.compare_digest(stored.code_hash, _hash(code, salt)):
            stored.used_at = utcnow()
            return True
    return False


# Between the password and the second step: who, kept in the signed session cookie (not signed in yet).

@dataclass(frozen=True)
class Pending:
    user: User
    remember: bool
    next_url: str | None


def hold(user: User, remember: bool, next_url: str | None) -> None:
    session.clear()
    session["pending"] = {"user": user.id, "version": user.session_version, "remember": remember,
                          "next": next_url, "at": time.time()}


def pending() -> Pending | None:
    """The sign-in waiting for its second step, if any and recent."""
    held = session.get("pending")
    if not held or time.time() - held["at"] > PENDING_SECONDS:
        return None
    user = db.session.get(User, held["user"])
    if user is None or not user.active or user.session_version != held["version"]:
        return None
    return Pending(user, held["remember"], held["next"])
