"""发文字号: the next sequence per prefix per year, without gaps or duplicates, never reused.

One counter row per (prefix, year). Issuing inserts the row if the year has none yet (a no-op when
it exists), then increments it with a single UPDATE … RETURNING in the issuing transaction:
- PostgreSQL: the UPDATE takes the row's lock, so a second admin issuing at the same moment waits
  for the first transaction to end and reads its committed value (the same as SELECT … FOR UPDATE);
- SQLite: write transactions begin IMMEDIATE (extensions.configure_sqlite), one writer at a time.
A transaction that fails after taking a number rolls the counter back with it: no gap.
"""
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import DocumentCounter
from ..pdf.text import document_number


def _insert_if_missing(prefix: str, year: int):
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(DocumentCounter).values(prefix=prefix, year=year, last=0).on_conflict_do_nothing()


def next_sequence(prefix: str, year: int) -> int:
    """Take the next number of (prefix, year). Not committed: the caller's transaction owns it."""
    db.session.execute(_insert_if_missing(prefix, year))
    return db.session.execute(
        update(DocumentCounter).where(DocumentCounter.prefix == prefix, DocumentCounter.year == year)
        .values(last=DocumentCounter.last + 1).returning(DocumentCounter.last)).scalar_one()


def assign(document, prefix: str, year: int) -> str:
    """Give `document` its number (not committed)."""
    sequence = next_sequence(prefix, year)
    document.prefix, document.year, document.sequence = prefix, year, sequence
    document.number = document_number(prefix, year, sequence)
    return document.number


def peek(prefix: str, year: int) -> str:
    """The number the next document of (prefix, year) would take now (shown before issuing; issuing
    takes it for real, and may get a later one if someone issues first)."""
    last = db.session.scalar(select(DocumentCounter.last).where(DocumentCounter.prefix == prefix,
                                                                DocumentCounter.year == year)) or 0
    return document_number(prefix, year, last + 1)
