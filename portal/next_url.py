"""Where to send someone after sign-in: only back into this site."""
from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None) -> str | None:
    """A same-site path (with query) or None. Refuses other hosts, schemes and `//` tricks."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme and parts.scheme not in {"http", "https"}:
        return None
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")
