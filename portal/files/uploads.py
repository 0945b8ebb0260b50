"""Accepting a file: its type is read from its content, never from its name; an image's size in
pixels from its header, before anything is decoded."""
import io
import warnings
import zipfile

from PIL import Image, UnidentifiedImageError

from ..models import Attachment
from ..storage import sha256, storage

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
IMAGE_FORMATS = tuple(IMAGE_TYPES)  # the only decoders Pillow may try on an upload
DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
}
# The most pixels an image may have. A JPEG is decoded at a fraction of its size when it is shrunk
# (files/evidence.py): a 50-megapixel tablet photo passes. PNG, WebP and GIF are decoded whole, and
# shrinking takes about 8 bytes a pixel at its peak (Pillow keeps RGB in 4): fewer of those, so that no
# upload takes a worker past 300 MB (bench/README.md).
MAX_PIXELS = 80_000_000
WHOLE_PIXELS = 16_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Between the limit and twice it Pillow only warns, then decodes (18 KB of PNG, 1.6 GB decoded): here
# the warning refuses the image as the error does above it, wherever the process opens one.
warnings.simplefilter("error", Image.DecompressionBombWarning)
BOMB = (Image.DecompressionBombWarning, Image.DecompressionBombError)


class UploadError(ValueError):
    """A file we refuse, with a message for the person who sent it."""


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None when we do not accept them."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return None
    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
            image.verify()
            return IMAGE_TYPES.get(image.format)
    except (UnidentifiedImageError, OSError, *BOMB):
        return None


def too_many_pixels(data: bytes) -> bool:
    """Whether the bytes are an image with more pixels than we decode, read from its header alone."""
    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
            return image.width * image.height > (MAX_PIXELS if image.format == "JPEG" else WHOLE_PIXELS)
    except BOMB:
        return True
    except (UnidentifiedImageError, OSError):
        return False  # not an image: sniff() says what it is


def accept(data: bytes, filename: str, *, images_only: bool = False, max_bytes: int) -> str:
    """The checked content type of an upload, or UploadError saying why not."""
    if not data:
        raise UploadError("文件是空的。")
    if len(data) > max_bytes:
        raise UploadError(f"文件太大（{len(data) // 1024 // 1024} MB），上限 {max_bytes // 1024 // 1024} MB。")
    if too_many_pixels(data):
        raise UploadError(f"“{filename}”的像素太多，无法处理：JPEG 照片最多 {MAX_PIXELS // 10_000} 万像素，"
                          f"PNG、WebP、GIF 图片最多 {WHOLE_PIXELS // 10_000} 万像素。请缩小后再上传。")
    kind = sniff(data)
    if kind is None or (images_only and not kind.startswith("image/")):
        allowed = "照片（JPEG、PNG、WebP）" if images_only else "照片、PDF、Excel 或 Word 文件"
        raise UploadError(f"“{filename}”不是可接受的文件类型，只能上传{allowed}。")
    return kind


def store(data: bytes, filename: str, content_type: str, *, school_id: int | None, user_id: int | None) -> Attachment:
    """Write the bytes under a generated name and return the (unsaved) Attachment row."""
    return Attachment(
        storage_key=storage().save(data), filename=filename[:200] or "文件", content_type=content_type,
        size=len(data), sha256=sha256(data), school_id=school_id, uploaded_by_id=user_id,
    )
