from flask import Blueprint, send_file

from ..models import Attachment
from ..security import can_read_attachment, load_by
from ..storage import storage
from . import evidence

bp = Blueprint("files", __name__, url_prefix="/files")
bp.add_app_template_global(evidence.ACCEPT, "evidence_accept")  # the file pickers of every evidence form


@bp.get("/<int:attachment_id>")
def download(attachment_id: int):
    """Stored files are only ever served through here, read as the record they belong to is
    (security.can_read_attachment: a draft inspection's photos stay the inspectors')."""
    attachment = load_by(can_read_attachment, Attachment, attachment_id)
    return send_file(
        storage().path(attachment.storage_key),
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        as_attachment=not attachment.is_image,
        max_age=0,
    )
