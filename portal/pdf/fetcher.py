"""What WeasyPrint may read while rendering: our own static files, the bytes a render hands in
(photos) and the office's font files (DOC_FONT_DIR, by the names found there), nothing else. No network, no file:// (a user's text cannot name /etc/passwd or an
intranet address: every other URL is refused before anything is opened)."""
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "dudao-static:"   # dudao-static:css/x.css → static/css/x.css
FILE_SCHEME = "dudao-file:"       # dudao-file:<name> → bytes given to this render
FONT_SCHEME = "dudao-font:"       # dudao-font:<file name> → a font file found in DOC_FONT_DIR


class Refused(ValueError):
    """A URL outside what a document may fetch."""


class RestrictedFetcher(URLFetcher):
    def __init__(self, static_root: Path, files: dict[str, tuple[bytes, str]] | None = None, fonts=()):
        super().__init__(allowed_protocols=set(), allow_redirects=False)
        self.static_root = Path(static_root).resolve()
        self.files = files or {}
        self.fonts = {face.path.name: face.path for face in fonts}
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(FILE_SCHEME) and url[len(FILE_SCHEME):] in self.files:
            body, mime = self.files[url[len(FILE_SCHEME):]]
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if url.startswith(FONT_SCHEME) and url[len(FONT_SCHEME):] in self.fonts:
            body = self.fonts[url[len(FONT_SCHEME):]].read_bytes()
            return URLFetcherResponse(url, body, {"Content-Type": "font/sfnt"})
        if url.startswith(STATIC_SCHEME):
            path = (self.static_root / url[len(STATIC_SCHEME):]).resolve()
            if path.is_relative_to(self.static_root) and path.is_file():
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
        self.refused.append(url)
        raise Refused(f"文档不能引用外部资源：{url[:80]}")


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".svg": "image/svg+xml"}.get(path.suffix.lower(), "application/octet-stream")
