"""The names a document's title keeps whole when it is broken into lines (portal/pdf/titles.py):
the county's schools, townships and education groups, on top of the office's own terms."""
from sqlalchemy import select

from ..extensions import db
from ..models import School


def words() -> tuple[str, ...]:
    rows = db.session.execute(select(School.name, School.township, School.education_group)).all()
    return tuple(sorted({value for row in rows for value in row if value}))
