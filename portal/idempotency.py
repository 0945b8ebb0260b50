"""Client keys: the one way a resent, replayed or late request is recognised.

Every form that changes something sends a `key`, stored with what it made or changed (a
`client_key` or `last_key` column). There are two kinds:

- a page key, new_key(): drawn by the server into a form that makes something once (开始检查,
  开始听课, 提交整改报告, a plan's goal). A second tap or a resend finds what the first one made
  (made(), among()); when two race, the unique column turns the loser away (committed()).
- a queue key, "<device>-<seq>": drawn by the browser's outbox (static/js/outbox.js) for every
  change it keeps: the device (16 hex digits, one per browser profile and user) and the change's
  place in that device's sequence. Besides recognising a resend, it orders one device's changes
  (a quick-log tap replayed late keeps its place) and tells a lost reply from a real conflict
  (judge()).
"""
import enum
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .extensions import db

PATTERN = r"^[0-9A-Za-z-]{8,36}$"  # what a form's key field accepts: either kind
QUEUE_KEY = re.compile(r"^([0-9a-f]{16})-([0-9]{1,12})$")


def new_key() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, order=True)
class QueueKey:
    device: str
    seq: int

    @classmethod
    def parse(cls, text: str | None) -> "QueueKey | None":
        """The queue key in `text`, or None for a page key or nothing."""
        match = QUEUE_KEY.match(text or "")
        return cls(match[1], int(match[2])) if match else None


def made(model, key: str | None, *where):
    """The row a form with this page key already made (a resend), or None."""
    if not key:
        return None
    return db.session.scalar(select(model).where(model.client_key == key, *where))


def among(rows, key: str | None):
    """The row with this key among rows already loaded (a photo sent twice), or None."""
    return next((row for row in rows if key and row.client_key == key), None)


def committed() -> bool:
    """Commit; False when a concurrent resend of the same form won the race (its unique key)."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


class Outcome(enum.Enum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


def judge(same: bool, revision: int, last_key: str | None, base: int, key: str | None) -> Outcome | None:
    """What a save does to a unit saved the moment it changes (a checklist answer, an observation's
    fields, a rubric score): UNCHANGED, CONFLICT, or None (apply it).

    `same`: the save's content equals what is stored; `revision`/`last_key`: the unit's;
    `base`/`key`: the revision the save was made on and its key.
    - Nothing changes for the same content, or for a save from the device that saved last that is
      not newer than that save (a resend, or one overtaken by its successor).
    - A save is applied when it was made on the stored revision, or when the device that saved
      last saves again: the revisions it has not seen are its own, whose replies were lost.
    - Otherwise someone else changed the unit meanwhile: a conflict, never a silent overwrite.
    """
    this, last = QueueKey.parse(key), QueueKey.parse(last_key)
    own = this is not None and last is not None and this.device == last.device
    if same or (own and this.seq <= last.seq):
        return Outcome.UNCHANGED
    if revision == base or own:
        return None
    return Outcome.CONFLICT
