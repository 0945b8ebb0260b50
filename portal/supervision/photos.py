"""Photo evidence from tablet cameras: turned upright, EXIF dropped, the long side cut to 2000 px,
re-encoded as JPEG, and a small thumbnail for the page. The tablet has usually done this already
(static/js/photos.js); whatever arrives is checked and shrunk here all the same.

The camera's location goes with the rest of the EXIF, unless the office keeps locations (setting
PHOTO_KEEP_LOCATION): then the stored picture carries it as EXIF GPS, taken from what the tablet
read before shrinking, or from the photo's own EXIF when it arrives whole."""
import io

from flask import current_app
from PIL import ExifTags, Image, ImageOps

from ..files.uploads import accept, store
from ..models import Attachment, Photo

MAX_BYTES = 25 * 1024 * 1024  # a full-size photo from a 50-megapixel tablet camera
LONG_SIDE = 2000
THUMB_SIDE = 320
GPS = ExifTags.IFD.GPSInfo

Location = tuple[float, float]  # latitude, longitude in degrees


def _jpeg(image: Image.Image, side: int, quality: int, exif: Image.Exif | None = None) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True, **({"exif": exif} if exif else {}))
    return out.getvalue()


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


def prepare(data: bytes, filename: str, location: Location | None = None) -> tuple[bytes, bytes]:
    """(picture, thumbnail) as JPEG bytes; UploadError when it is not a photo we accept."""
    accept(data, filename, images_only=True, max_bytes=MAX_BYTES)
    with Image.open(io.BytesIO(data)) as opened:
        keep = current_app.config["PHOTO_KEEP_LOCATION"] and (location or location_of(opened))
        image = ImageOps.exif_transpose(opened)  # the camera's orientation tag, applied to the pixels
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        return (_jpeg(image, LONG_SIDE, 85, location_exif(keep) if keep else None),
                _jpeg(image, THUMB_SIDE, 75))


def stored(data: bytes, filename: str, *, school_id: int, user_id: int,
           location: Location | None = None) -> tuple[Attachment, Attachment]:
    """The picture and its thumbnail, prepared and stored (unsaved Attachment rows)."""
    picture, thumbnail = prepare(data, filename, location)
    stem = filename.rsplit(".", 1)[0][:180] or "照片"
    return (store(picture, f"{stem}.jpg", "image/jpeg", school_id=school_id, user_id=user_id),
            store(thumbnail, f"{stem}-缩略图.jpg", "image/jpeg", school_id=school_id, user_id=user_id))


def new_photo(data: bytes, filename: str, *, school_id: int, user_id: int, key: str,
              location: Location | None = None) -> Photo:
    picture, thumbnail = stored(data, filename, school_id=school_id, user_id=user_id, location=location)
    return Photo(client_key=key, attachment=picture, thumbnail=thumbnail)
