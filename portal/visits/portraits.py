"""An inspector's portrait for the signs: checked, turned upright and shrunk by the evidence service
(portal/files/evidence.py) like any photo, one per inspector; a new one replaces the old, whose files go."""
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..files import evidence
from ..idempotency import committed
from ..models import Portrait, User
from ..storage import storage


def replace(user: User, upload: FileStorage, key: str, actor_id: int) -> None:
    """Keep `upload` as the user's portrait and commit; UploadError with a message for the sender. The
    same upload sent again (its key) changes nothing."""
    current = db.session.get(Portrait, user.id)
    if current is not None and current.client_key == key:
        return
    data = upload.read(evidence.PHOTO_MAX_BYTES + 1)
    picture, thumbnail = evidence.stored(data, upload.filename or "照片", school_id=None, user_id=actor_id,
                                         photos_only=True)
    old = [a for a in (current.attachment, current.thumbnail) if a is not None] if current else []
    if current is None:
        current = Portrait(user_id=user.id)
        db.session.add(current)
    current.attachment, current.thumbnail, current.client_key = picture, thumbnail, key
    for attachment in old:
        db.session.delete(attachment)
    if committed():
        gone = old
    else:  # a resend of the same upload won the race: keep its files, drop these
        gone = [picture, thumbnail]
    for attachment in gone:
        if attachment is not None:
            storage().delete(attachment.storage_key)
