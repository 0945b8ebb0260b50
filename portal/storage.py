"""Where uploaded bytes live. A local folder by default; anything with the same three
methods (a shared NAS mount, an object store) can replace it in create_app()."""
import hashlib
import uuid
from pathlib import Path
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    def save(self, data: bytes) -> str: ...
    def path(self, key: str) -> Path: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not key.isalnum():  # generated keys only: never a user's path
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def save(self, data: bytes) -> str:
        key = uuid.uuid4().hex
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)  # atomic: a reader never sees half a file
        return key

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def storage() -> Storage:
    if "storage" not in current_app.extensions:
        current_app.extensions["storage"] = LocalStorage(current_app.config["UPLOAD_FOLDER"])
    return current_app.extensions["storage"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
