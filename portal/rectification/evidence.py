"""The school's evidence for a report: photos are downscaled with a thumbnail and lose their
EXIF (supervision/photos.py); PDF, Word and Excel files are kept as sent. Type is read from the
content (files/uploads.py), never from the name."""
from ..files.uploads import accept, sniff, store
from ..models import Attachment, RectificationFile
from ..supervision import photos

MAX_BYTES = photos.MAX_BYTES              # what one request may carry anyway (MAX_UPLOAD_MB)
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
ACCEPT = "image/*,.pdf,.docx,.xlsx"       # for the file picker; the server checks the content


def stored(data: bytes, filename: str, *, school_id: int, user_id: int,
           location: photos.Location | None = None) -> tuple[Attachment, Attachment | None]:
    """A stored evidence file and, for a photo, its thumbnail (unsaved rows), or UploadError with a
    message for the school. Shared with the plan's milestone evidence (plans/views.py)."""
    filename = filename or "佐证材料"
    kind = sniff(data) if data else None
    if kind and kind.startswith("image/"):
        return photos.stored(data, filename, school_id=school_id, user_id=user_id, location=location)
    kind = accept(data, filename, max_bytes=DOCUMENT_MAX_BYTES)
    return store(data, filename, kind, school_id=school_id, user_id=user_id), None


def new_file(data: bytes, filename: str, *, school_id: int, user_id: int, key: str,
             location: photos.Location | None = None) -> RectificationFile:
    """A stored evidence file (unsaved row), or UploadError with a message for the school."""
    attachment, thumbnail = stored(data, filename, school_id=school_id, user_id=user_id, location=location)
    return RectificationFile(client_key=key, attachment=attachment, thumbnail=thumbnail)
