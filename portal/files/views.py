from collections.abc import Callable

from flask import Blueprint, send_file

from ..models import Attachment
from ..security import Action, load
from ..storage import storage

bp = Blueprint("files", __name__, url_prefix="/files")

# Stricter rules of the things files belong to: each is called with the attachment after the
# school-scope check and aborts when the owner is not readable yet (e.g. a draft inspection's photos).
read_rules: list[Callable[[Attachment], None]] = []


def read_rule(rule: Callable[[Attachment], None]) -> Callable[[Attachment], None]:
    read_rules.append(rule)
    return rule


@bp.get("/<int:attachment_id>")
def download(attachment_id: int):
    """Stored files are only ever served through here, after the scope check."""
    attachment = load(Attachment, attachment_id, Action.VIEW)
    for rule in read_rules:
        rule(attachment)
    return send_file(
        storage().path(attachment.storage_key),
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        as_attachment=not attachment.is_image,
        max_age=0,
    )
