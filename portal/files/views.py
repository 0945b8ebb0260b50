from flask import Blueprint, send_file

from ..models import Attachment
from ..security import Action, load
from ..storage import storage

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.get("/<int:attachment_id>")
def download(attachment_id: int):
    """Stored files are only ever served through here, after the scope check."""
    attachment = load(Attachment, attachment_id, Action.VIEW)
    return send_file(
        storage().path(attachment.storage_key),
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        as_attachment=not attachment.is_image,
        max_age=0,
    )
