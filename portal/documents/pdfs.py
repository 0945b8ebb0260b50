"""A document's PDF: rendered for a draft, stored once for an issued document (the file the
schools received stays the same whatever later changes to the templates), sent inline."""
import io
import logging

from flask import send_file
from sqlalchemy.orm import make_transient

from .. import clock
from ..extensions import db
from ..files.uploads import store as store_file
from ..models import Document
from ..pdf import engine
from ..storage import storage
from . import compose

log = logging.getLogger(__name__)
PDF = "application/pdf"


def filename(document: Document) -> str:
    return f"{document.number or '草稿'} {document.title_text}.pdf"


def rendered(document: Document) -> bytes:
    return engine.render("pdf/base.html", compose.letter(document, clock.today())).pdf


def of_document(document: Document) -> bytes:
    """The stored PDF of an issued document (stored now if issuing could not), or a draft's."""
    if document.pdf is not None:
        return storage().path(document.pdf.storage_key).read_bytes()
    data = rendered(document)
    if document.issued:
        store(document, data)
    return data


def store(document: Document, data: bytes | None = None) -> None:
    """Keep the issued PDF. Issuing is already committed: a failure here is logged, and the PDF is
    made again (and kept) the first time someone opens it."""
    try:
        data = data or rendered(document)
        document.pdf = store_file(data, filename(document), PDF, school_id=None, user_id=document.issued_by_id)
        db.session.commit()
    except Exception:  # noqa: BLE001 - rendering or storage; the document is issued either way
        db.session.rollback()
        log.exception("PDF of document %s not stored", document.id)


def send(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=PDF, download_name=name, as_attachment=False, max_age=0)


def unsaved(document: Document, form) -> Document:
    """A copy of the draft with what the form holds now (valid fields only), outside the session."""
    copy = Document(**{name: getattr(document, name) for name in (
        "round_id", "title", "addressee", "opening", "basics", "achievements", "problems", "requirements", "deadline",
        "cc", "attachment_title", "table", "audience", "create_items", "prefix", "year")})
    copy.corrects = document.corrects
    for name in form.FIELDS:
        field = form[name]
        if not field.errors and field.data is not None and (name != "title" or field.data):
            setattr(copy, name, field.data)
    make_transient(copy)
    return copy
