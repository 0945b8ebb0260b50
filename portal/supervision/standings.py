"""What a ranking (supervision/ranking.py) compares, read from the database: a round's results, or a
checklist template's over a semester, each with the previous comparable set for the rank change.

Rankings are official: they read approved results only (as recorded at submission), of every school,
whoever asks. The pages that show them keep to the rows of the schools their reader may see.
"""
from flask import current_app
from sqlalchemy import and_, or_, select

from .. import clock
from ..extensions import db
from ..models import Inspection, InspectionStatus, Round, RoundMode, School, TemplateVersion
from .ranking import Grouping, Place, Result, Standing, places, rank


def grouping() -> Grouping:
    """The school categories rankings are split by (the RANKING_CATEGORIES setting)."""
    return Grouping(current_app.config["RANKING_CATEGORIES"])


def _results(stmt) -> list[Result]:
    """One result per school: its latest inspection among `stmt`'s; not approved counts as none yet."""
    found: dict[int, Result] = {}
    for inspection, school in db.session.execute(stmt.order_by(Inspection.visit_date, Inspection.id)):
        approved = inspection.status is InspectionStatus.APPROVED
        found[school.id] = Result(school.id, school.name, school.code, school.kind,
                                  inspection.percent if approved else None, inspection.band if approved else None,
                                  approved and inspection.critical_failed, inspection.id)
    return list(found.values())


def _inspections():
    return select(Inspection, School).join(School, School.id == Inspection.school_id)


def round_results(round_id: int) -> list[Result]:
    return _results(_inspections().where(Inspection.round_id == round_id))


def previous_round(round_: Round) -> Round | None:
    """The last round before it on the same checklist template (any version) and of the same mode."""
    earlier = or_(Round.starts_on < round_.starts_on, and_(Round.starts_on == round_.starts_on, Round.id < round_.id))
    return db.session.scalar(
        select(Round).join(TemplateVersion, TemplateVersion.id == Round.version_id)
        .where(TemplateVersion.template_id == round_.version.template_id, Round.mode == round_.mode, earlier)
        .order_by(Round.starts_on.desc(), Round.id.desc()).limit(1))


def of_round(round_: Round, results: list[Result] | None = None) -> list[Standing]:
    """A round's ranking (`results`: its own, when the caller has scored them already)."""
    before = previous_round(round_)
    return rank(round_results(round_.id) if results is None else results, grouping(),
                round_results(before.id) if before else None)


def term_results(template_id: int, semester: clock.Semester, mode: RoundMode | None = None) -> list[Result]:
    """Each school's latest approved inspection on the template in the semester (of rounds of `mode`)."""
    stmt = (_inspections().join(TemplateVersion, TemplateVersion.id == Inspection.version_id)
            .where(TemplateVersion.template_id == template_id, Inspection.status == InspectionStatus.APPROVED,
                   Inspection.visit_date.between(semester.start, semester.end)))
    if mode is not None:
        stmt = stmt.join(Round, Round.id == Inspection.round_id).where(Round.mode == mode)
    return _results(stmt)


def of_term(template_id: int, semester: clock.Semester, mode: RoundMode | None = None) -> list[Standing]:
    """A template's ranking over a semester, with the change since the semester before."""
    return rank(term_results(template_id, semester, mode), grouping(),
                term_results(template_id, semester.previous(), mode))


class Ranks:
    """Inspections' places in their rankings (a round's, else its template's over its semester), each
    ranking read once: for lists and exports that show many inspections."""

    def __init__(self):
        self._found: dict[tuple, dict[int, Place]] = {}

    def _ranking(self, key: tuple, make) -> dict[int, Place]:
        if key not in self._found:
            self._found[key] = places(make())
        return self._found[key]

    def of(self, inspection: Inspection) -> Place | None:
        """Its place, or None: not approved, or not the school's result in the ranking (an earlier
        inspection on the same template in the semester)."""
        if inspection.status is not InspectionStatus.APPROVED:
            return None
        if inspection.round_id is not None:
            found = self._ranking(("round", inspection.round_id), lambda: of_round(inspection.round))
        else:
            term, template_id = clock.semester(inspection.visit_date), inspection.version.template_id
            found = self._ranking(("term", template_id, term), lambda: of_term(template_id, term))
        place = found.get(inspection.school_id)
        return place if place is not None and place.result.inspection_id == inspection.id else None
