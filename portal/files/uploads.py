"""Accepting a file: its type is read from its content, never from its name."""
import io
import zipfile

from PIL import Image, UnidentifiedImageError

from ..models import Attachment
from ..storage import sha256, storage

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
}
Image.MAX_IMAGE_PIXELS = 80_000_000  # a 50-megapixel tablet photo passes; a decompression bomb does not


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
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return IMAGE_TYPES.get(image.format)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None


def accept(data: bytes, filename: str, *, images_only: bool = False, max_bytes: int) -> str:
    """The checked content type of an upload, or UploadError saying why not."""
    if not data:
        raise UploadError("文件是空的。")
    if len(data) > max_bytes:
        raise UploadError(f"文件太大（{len(data) // 1024 // 1024} MB），上限 {max_bytes // 1024 // 1024} MB。")
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
