"""Working without the network: the service worker and the page it shows when a page it does not
keep is asked for offline. Both are the same for everyone (no personal data), so they are public."""
from flask import Blueprint, make_response, render_template

from ..extensions import login_manager
from ..security import public
from . import shell

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
@public
def worker():
    response = make_response(render_template("offline/sw.js", version=shell.version(), shell=shell.shell(),
                                             pages=shell.FIELD_PAGES.pattern))
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"  # the browser checks for a new worker on every visit
    return response


@bp.get("/offline")
@public
def page():
    return render_template("offline/page.html", current_user=login_manager.anonymous_user(), shared=True)
