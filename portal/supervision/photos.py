"""Photo evidence from tablet cameras: turned upright, location and other EXIF dropped, the long
side cut to 2000 px, re-encoded as JPEG, and a small thumbnail for the page."""
import io

from PIL import Image, ImageOps

from ..files.uploads import accept, store
from ..models import Attachment, Photo

MAX_BYTES = 25 * 1024 * 1024  # a full-size photo from a 50-megapixel tablet camera
LONG_SIDE = 2000
THUMB_SIDE = 320


def _jpeg(image: Image.Image, side: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True)  # no exif= argument: nothing of it is kept
    return out.getvalue()


def prepare(data: bytes, filename: str) -> tuple[bytes, bytes]:
    """(picture, thumbnail) as JPEG bytes; UploadError when it is not a photo we accept."""
    accept(data, filename, images_only=True, max_bytes=MAX_BYTES)
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)  # the camera's orientation tag, applied to the pixels
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        return _jpeg(image, LONG_SIDE, 85), _jpeg(image, THUMB_SIDE, 75)


def stored(data: bytes, filename: str, *, school_id: int, user_id: int) -> tuple[Attachment, Attachment]:
    """The picture and its thumbnail, prepared and stored (unsaved Attachment rows)."""
    picture, thumbnail = prepare(data, filename)
    stem = filename.rsplit(".", 1)[0][:180] or "照片"
    return (store(picture, f"{stem}.jpg", "image/jpeg", school_id=school_id, user_id=user_id),
            store(thumbnail, f"{stem}-缩略图.jpg", "image/jpeg", school_id=school_id, user_id=user_id))


def new_photo(data: bytes, filename: str, *, school_id: int, user_id: int, key: str) -> Photo:
    picture, thumbnail = stored(data, filename, school_id=school_id, user_id=user_id)
    return Photo(client_key=key, attachment=picture, thumbnail=thumbnail)
