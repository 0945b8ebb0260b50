"""公文, the schools' side: the inbox, opening a circular (recorded once) and 签收."""
from flask import abort, current_app, flash, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..extensions import db, side_write
from ..htmx import is_partial, render, see_other
from ..idempotency import new_key
from ..models import DocumentRecipient, utcnow
from ..security import Action, authorize, load, school_ids
from . import distribution, pdfs
from .forms import KeyForm
from .views import bp

@bp.get("/inbox")
def inbox():
    authorize(Action.VIEW)
    page = db.paginate(distribution.inbox(school_ids(current_user, Action.VIEW)),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("documents/inbox.html", page=page)


def load_received(recipient_id: int, action: Action = Action.VIEW) -> DocumentRecipient:
    return load(DocumentRecipient, recipient_id, action, joinedload(DocumentRecipient.document),
                joinedload(DocumentRecipient.school))


def _opened(recipient: DocumentRecipient) -> None:
    if recipient.opened_at is None and distribution.is_own_school(recipient, current_user):
        with side_write("a circular's opening"):
            distribution.opened(recipient, current_user, utcnow())


@bp.get("/received/<int:recipient_id>")
def received(recipient_id: int):
    recipient = load_received(recipient_id)
    _opened(recipient)
    return _received(recipient)


def _received(recipient: DocumentRecipient):
    return render("documents/received.html", "receipt", recipient=recipient, document=recipient.document,
                  items=distribution.items_for(recipient.document, recipient.school_id),
                  form=KeyForm(formdata=None, data={"key": new_key()}))


@bp.get("/received/<int:recipient_id>/pdf")
def received_pdf(recipient_id: int):
    recipient = load_received(recipient_id)
    _opened(recipient)
    return pdfs.send(pdfs.of_document(recipient.document), pdfs.filename(recipient.document))


@bp.post("/received/<int:recipient_id>/acknowledge")
def acknowledge(recipient_id: int):
    """签收: recorded once, with time and user."""
    recipient = load_received(recipient_id, Action.EDIT)
    if not KeyForm().validate():
        abort(400)
    if distribution.acknowledge(recipient, current_user, utcnow()):
        db.session.commit()
        flash(f"已签收 {recipient.document.number}。", "success")
    if is_partial():
        return _received(recipient)
    return see_other(url_for("documents.received", recipient_id=recipient.id))
