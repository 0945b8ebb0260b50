"""Password hashing: argon2id at OWASP strength; older hashes are upgraded at sign-in.

Hashing takes a deliberate ~170 ms: the functions here take and give strings and never touch the
database, so a caller can (and must) hash outside any transaction."""
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash

MIN_LENGTH = 8


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_KIB"], parallelism=1)


@cache
def _stand_in(time_cost: int, memory_kib: int) -> str:
    """A hash of nothing anyone can type, at the configured strength: checked for unknown accounts."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1).hash("\0unknown account\0")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check(stored: str | None, password: str) -> tuple[bool, str | None]:
    """Whether `password` matches `stored`, and the hash to store instead when `stored` is weaker or
    of an earlier system (else None). `stored` None (no such account) costs the same one argon2
    verification as a wrong password, so the time of the answer does not tell who exists."""
    hasher = _hasher()
    if not stored:
        cfg = current_app.config
        stored = _stand_in(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"])
        password = ""  # never matches the stand-in
    if stored.startswith("$argon2"):
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False, None
        return True, hasher.hash(password) if hasher.check_needs_rehash(stored) else None
    # pbkdf2/scrypt hashes from an earlier system (werkzeug format)
    if ":" in stored and check_password_hash(stored, password):
        return True, hasher.hash(password)
    return False, None
