"""What a tablet keeps to work without the network (the service worker, templates/offline/sw.js):
the app shell (styles, scripts, htmx) and the pages of the field work it has open."""
import hashlib
import re
from pathlib import Path

from flask import current_app, url_for

SHELL_FILES = ("css/app.css", "vendor/htmx-2.0.11.min.js", "js/app.js", "js/fields.js", "js/offline.js",
               "js/outbox.js", "js/photos.js", "js/sender.js", "js/session.js")
# The pages a service worker keeps (and serves when the network is gone): the filling pages, and the
# 责任督学's visit form (a visit typed at the school waits in the outbox until the network is back).
FIELD_PAGES = re.compile(r"^/(inspections/\d+/fill|observations/\d+/record|visits/new)$")
SCOPES = ("/inspections/", "/observations/", "/visits/")


def shell() -> list[str]:
    return [url_for("static", filename=name) for name in SHELL_FILES] + [url_for("offline.page")]


def version() -> str:
    """Changes whenever a shell file does: the browser then installs the new worker and its shell."""
    cached = current_app.extensions.get("dudao-shell-version")
    if cached is None:
        digest = hashlib.sha256()
        for name in SHELL_FILES:
            digest.update(Path(current_app.static_folder, name).read_bytes())
        digest.update(Path(current_app.template_folder, "offline", "sw.js").read_bytes())
        cached = current_app.extensions["dudao-shell-version"] = digest.hexdigest()[:16]
    return cached
