"""The open random draw (公开随机抽取), one rule for every draw in the portal.

    rank(candidate) = SHA-256 of the UTF-8 text "<seed>|<key>", read as a hexadecimal number
    the draw      = the `count` candidates with the smallest rank, smallest first

The seed is 32 random hexadecimal digits chosen by the server when the draw is made, and it is
recorded with the candidate keys. Anyone can recompute the ranks with any SHA-256 tool (the draw
page lists them), so nobody has to trust the portal's word, and the result does not depend on
the order the candidates were listed in or on a programming language's random generator.
"""
import hashlib
import secrets
from collections.abc import Iterable, Sequence

from flask_login import current_user

from ..extensions import db
from ..models import Draw


def new_seed() -> str:
    return secrets.token_hex(16)


def rank(seed: str, key) -> str:
    return hashlib.sha256(f"{seed}|{key}".encode()).hexdigest()


def pick(seed: str, keys: Iterable, count: int) -> list[str]:
    """The `count` keys (as text) with the smallest rank under `seed`."""
    keys = [str(key) for key in keys]
    return sorted(keys, key=lambda key: rank(seed, key))[:max(count, 0)]


def draw(purpose: str, candidates: Sequence[tuple[object, str]], count: int, *, rule: str = "",
         school_id: int | None = None, seed: str | None = None) -> Draw:
    """Make and record a draw of `count` from `candidates` ((key, label) pairs); added, not committed."""
    seed = seed or new_seed()
    listed = [[str(key), label] for key, label in candidates]
    record = Draw(purpose=purpose, rule=rule, school_id=school_id, candidates=listed, count=count, seed=seed,
                  picked=pick(seed, (key for key, _ in listed), count),
                  drawn_by_id=current_user.id if current_user and current_user.is_authenticated else None)
    db.session.add(record)
    return record


def check(record: Draw) -> bool:
    """Run the draw again from its record: True when it gives what was recorded."""
    return pick(record.seed, (key for key, _ in record.candidates), record.count) == list(record.picked)
