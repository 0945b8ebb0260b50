"""Where a school stands with a 报送 task on a given county day (portal/clock.py's today): handed in on
time or late, not yet, late, or sent back to answer again. The deadline is the task's last day: an
answer handed in on it is on time; from the next day on, one not handed in is late."""
import enum
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from .. import clock
from ..models import AnswerStatus, ReportAnswer


class Standing(enum.Enum):
    HANDED_IN = "已报送"
    HANDED_IN_LATE = "逾期报送"
    NOT_YET = "未报送"
    RETURNED = "已退回"
    LATE = "逾期未报"


OWED = frozenset({Standing.NOT_YET, Standing.RETURNED, Standing.LATE})  # the school still owes an answer


def handed_in_on(submitted_at: datetime) -> date:
    return clock.local_date(submitted_at)


def standing(answer: ReportAnswer, due: date, today: date) -> Standing:
    if answer.status is AnswerStatus.SUBMITTED:
        late = answer.submitted_at is not None and handed_in_on(answer.submitted_at) > due
        return Standing.HANDED_IN_LATE if late else Standing.HANDED_IN
    if today > due:
        return Standing.LATE
    return Standing.RETURNED if answer.status is AnswerStatus.RETURNED else Standing.NOT_YET


def open_to_school(answer: ReportAnswer, due: date, today: date) -> bool:
    """Whether the school may (still) answer: one it owes, at any time (a late one is still wanted);
    one handed in, again until the deadline has passed."""
    return answer.status is not AnswerStatus.SUBMITTED or today <= due


@dataclass(frozen=True)
class Tally:
    """How many schools stand where: handed in (on time or late), late and still owing, not yet due."""
    handed_in: int
    handed_in_late: int
    late: int
    waiting: int

    @property
    def total(self) -> int:
        return self.handed_in + self.late + self.waiting


def tally(standings) -> Tally:
    counts = Counter(standings)
    return Tally(handed_in=counts[Standing.HANDED_IN] + counts[Standing.HANDED_IN_LATE],
                 handed_in_late=counts[Standing.HANDED_IN_LATE], late=counts[Standing.LATE],
                 waiting=counts[Standing.NOT_YET] + counts[Standing.RETURNED])
