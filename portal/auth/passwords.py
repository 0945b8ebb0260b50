"""Password hashing: argon2id at OWASP strength; older hashes are upgraded at sign-in."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash

MIN_LENGTH = 8


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_KIB"], parallelism=1)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_and_upgrade(user, password: str) -> bool:
    """True when `password` is the user's; rehashes in place when the stored hash is weaker."""
    hasher = _hasher()
    stored = user.password_hash or ""
    if stored.startswith("$argon2"):
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if hasher.check_needs_rehash(stored):
            user.password_hash = hasher.hash(password)
        return True
    # pbkdf2/scrypt hashes from an earlier system (werkzeug format)
    if stored and ":" in stored and check_password_hash(stored, password):
        user.password_hash = hasher.hash(password)
        return True
    return False


def burn_time(password: str) -> None:
    """Spend a hash's time for unknown users, so response times do not reveal who exists."""
    _hasher().hash(password)
