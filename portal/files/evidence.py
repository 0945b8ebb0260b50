"""Evidence: the photos and files behind an inspection's item (Photo), a rectification report
(RectificationFile) and a plan's milestone (PlanFile), uploaded, checked, shrunk, stored and deleted
here for all three. Who may add or delete it is the views' to decide (security.py).

A photo is checked (files/uploads.py: its type from its content, its pixels from its header), turned
upright, its EXIF dropped, its long side cut to 2000 px, re-encoded as JPEG, and given a small thumbnail
for the page. The tablet has usually done this already (static/js/photos.js); whatever arrives is checked
and shrunk here all the same. PDF, Word and Excel files are kept as sent.

The camera's location goes with the rest of the EXIF, unless the office keeps locations (setting
PHOTO_KEEP_LOCATION): then the stored picture carries it as EXIF GPS, taken from what the tablet read
before shrinking, or from the photo's own EXIF when it arrives whole.

Each upload carries a client key chosen by the page (portal/idempotency.py): sent twice, or twice at
once, it is kept once."""
import io
import threading
from collections.abc import Callable

from flask import current_app
from PIL import ExifTags, Image, ImageOps
from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..idempotency import among, committed
from ..models import Attachment
from ..storage import storage
from .uploads import IMAGE_FORMATS, UploadError, accept, sniff, store

PHOTO_MAX_BYTES = 25 * 1024 * 1024     # a full-size photo from a 50-megapixel tablet camera (and MAX_UPLOAD_MB)
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
ACCEPT = "image/*,.pdf,.docx,.xlsx"    # for the file picker; the server checks the content
LONG_SIDE = 2000
THUMB_SIDE = 320
GPS = ExifTags.IFD.GPSInfo

Location = tuple[float, float]  # latitude, longitude in degrees
# One photo decoded at a time in a worker: whatever its threads upload at once, its memory grows by what
# one decode takes (files/uploads.py caps that).
DECODING = threading.Lock()


def add(owner: Callable[[], object], files: InstrumentedAttribute, upload: FileStorage, *, key: str,
        school_id: int, user_id: int, photos_only: bool = False, location: Location | None = None) -> None:
    """Keep an upload as one more row of `files` (a relationship: Answer.photos, RectificationItem.files,
    Milestone.files) of the record `owner()` finds or makes, and commit; UploadError with a message for
    the sender.

    Once per client key. Of two sent at once, the one that commits second is turned away by the unique
    key: its bytes go, `owner()` is asked again, and the first one's row answers for both. When something
    else won (two first photos of an item, each making its answer), the sender is asked to send again."""
    name, model = files.key, files.property.mapper.class_
    parent = owner()
    if among(getattr(parent, name), key) is not None:
        return
    filename = upload.filename or ("照片" if photos_only else "佐证材料")
    data = upload.read(max(PHOTO_MAX_BYTES, DOCUMENT_MAX_BYTES) + 1)
    attachment, thumbnail = stored(data, filename, school_id=school_id, user_id=user_id,
                                   photos_only=photos_only, location=location)
    row = model(client_key=key, attachment=attachment, thumbnail=thumbnail)
    getattr(parent, name).append(row)
    db.session.add(parent)  # an answer made by this upload joins the session with it
    if committed():
        return
    _discard(row)
    if among(getattr(owner(), name), key) is None:
        raise UploadError("刚才有人同时修改了这一项，这个文件没有保存，请重新上传。")


def add_from(form, record, files: InstrumentedAttribute, user_id: int) -> str | None:
    """A file form's upload (rectification.forms.FileForm) kept as one more of `record`'s `files` (an
    item's report, a milestone's evidence): None, or the message for beside the field."""
    if not form.validate():
        return next(iter(form.errors.values()))[0]
    try:
        add(lambda: record, files, form.file.data, key=form.key.data, school_id=record.school_id,
            user_id=user_id, location=form.location)
    except UploadError as problem:
        return str(problem)
    return None


def remove(files: list, row) -> None:
    """Delete a piece of evidence from its owner's `files`, and its stored files: the bytes once the
    rows are gone for good."""
    files.remove(row)
    for attachment in _attachments(row):
        db.session.delete(attachment)
    db.session.commit()
    _discard(row)


def stored(data: bytes, filename: str, *, school_id: int, user_id: int, photos_only: bool = False,
           location: Location | None = None) -> tuple[Attachment, Attachment | None]:
    """A checked upload stored (unsaved Attachment rows): a photo shrunk, with its thumbnail; a document
    as sent, without one. UploadError with a message for the sender."""
    photo = photos_only or (sniff(data) or "").startswith("image/")
    kind = accept(data, filename, images_only=photo, max_bytes=PHOTO_MAX_BYTES if photo else DOCUMENT_MAX_BYTES)
    if not photo:
        return store(data, filename, kind, school_id=school_id, user_id=user_id), None
    picture, thumbnail = shrink(data, location)
    stem = filename.rsplit(".", 1)[0][:180] or "照片"
    return (store(picture, f"{stem}.jpg", "image/jpeg", school_id=school_id, user_id=user_id),
            store(thumbnail, f"{stem}-缩略图.jpg", "image/jpeg", school_id=school_id, user_id=user_id))


def shrink(data: bytes, location: Location | None = None) -> tuple[bytes, bytes]:
    """(picture, thumbnail) as JPEG bytes of a photo accept() took, never decoded larger than it must be:
    a JPEG at 1/2, 1/4 or 1/8 of its size while that still covers the picture (libjpeg scales as it
    decodes: a 50-megapixel photo in 20 MB instead of 200), other formats whole (their pixels are capped
    lower for that, files/uploads.py)."""
    with DECODING, Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
        keep = current_app.config["PHOTO_KEEP_LOCATION"] and (location or location_of(image))
        scale = LONG_SIDE / max(image.size)
        if scale < 1:
            image.draft(None, (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
        if image.mode not in ("RGB", "L"):
            converted = image.convert("RGB")
            image.close()  # its pixels go now, not when the block ends
            image = converted
        image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        ImageOps.exif_transpose(image, in_place=True)  # the camera's orientation tag, applied to the pixels
        picture = _jpeg(image, 85, location_exif(keep) if keep else None)
        image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        return picture, _jpeg(image, 75)


def _jpeg(image: Image.Image, quality: int, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, **({"exif": exif} if exif else {}))
    return out.getvalue()


def _attachments(row) -> list[Attachment]:
    return [attachment for attachment in (row.attachment, row.thumbnail) if attachment is not None]


def _discard(row) -> None:
    for attachment in _attachments(row):
        storage().delete(attachment.storage_key)


def _degrees(value: float) -> tuple[float, float, float]:
    value = abs(value)
    minutes = (value - int(value)) * 60
    return float(int(value)), float(int(minutes)), round((minutes - int(minutes)) * 60, 2)


def location_exif(location: Location) -> Image.Exif:
    latitude, longitude = location
    exif = Image.Exif()
    exif[GPS] = {1: "N" if latitude >= 0 else "S", 2: _degrees(latitude),
                 3: "E" if longitude >= 0 else "W", 4: _degrees(longitude)}
    return exif


def location_of(image: Image.Image) -> Location | None:
    """The position in a photo's own EXIF, or None."""
    gps = image.getexif().get_ifd(GPS)
    try:
        latitude = sum(float(part) / 60 ** i for i, part in enumerate(gps[2]))
        longitude = sum(float(part) / 60 ** i for i, part in enumerate(gps[4]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return (-latitude if gps.get(1) == "S" else latitude), (-longitude if gps.get(3) == "W" else longitude)
