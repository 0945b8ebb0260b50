"""The one rule for saving a unit of a form the moment it changes (a checklist answer, an
observation's own fields, one rubric score), safely when requests are resent or race.

A save carries the revision the tablet last saw and a fresh idempotency key:
- the key of the last applied save again, or the same content as stored: nothing changes (a resend,
  a double tap, the offline queue replaying a save whose answer was lost);
- a different revision with different content: someone else changed the unit meanwhile, and the
  save is refused (CONFLICT) so that nobody's work is silently overwritten;
- otherwise it is applied and the revision goes up by one.
The offline queue in static/js/app.js (form[data-autosave]) sends every unit this way.
"""
import enum


class Outcome(enum.Enum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


def judge(same: bool, revision: int, last_key: str | None, base: int, key: str | None) -> Outcome | None:
    """What a save does to a stored unit: UNCHANGED, CONFLICT, or None (apply it). `same`: the save's
    content equals what is stored; `revision`/`last_key`: the unit's; `base`/`key`: the save's."""
    if (key and last_key == key) or same:
        return Outcome.UNCHANGED
    if revision != base:
        return Outcome.CONFLICT
    return None
