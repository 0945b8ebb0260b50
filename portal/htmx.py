"""The only place that reads HX-* request headers or writes HX-* response headers."""
import json

from flask import Response, get_flashed_messages, make_response, redirect, render_template, request, session
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    return bool(request.htmx)


def is_partial() -> bool:
    """An htmx request that wants a fragment, not a whole page (boosts and history want pages)."""
    return is_htmx() and not request.htmx.boosted and not request.htmx.history_restore_request


def current_url() -> str | None:
    return request.htmx.current_url


def trigger_name() -> str | None:
    """The name of the input that fired the request (inline validation)."""
    return request.htmx.trigger_name


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """The whole page, or only `block` of it when htmx asked for a fragment."""
    if block and is_partial():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return make_response(body, status)


def navigate(url: str, status: int = 200) -> Response:
    """Make htmx load `url` as a whole new page."""
    response = make_response("", status)
    response.headers["HX-Redirect"] = url
    return response


def see_other(url: str) -> Response:
    """After a change: 303 for browsers and boosted forms; a full navigation for fragments."""
    return navigate(url) if is_partial() else redirect(url, 303)


def trigger(response: Response, event: str, detail=None) -> Response:
    """Add an HX-Trigger event (`noun-verbed`). JSON with ASCII escapes: Chinese survives gunicorn."""
    events = json.loads(response.headers.get("HX-Trigger", "{}"))
    events[event] = detail if detail is not None else {}
    response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=True)
    return response


def session_ended() -> Response:
    """401 to a fragment request whose session has ended: nothing swapped, and the page's
    `session-ended` handler asks to sign in again without leaving the page."""
    return reswap(trigger(make_response("", 401), "session-ended"), "none")


def csrf_expired(message: str) -> Response:
    """400 to a fragment request whose CSRF token is not the session's (a page kept from before a
    new sign-in): the page fetches the token anew (`csrf-expired`); the outbox then sends again by
    itself, and anything else says to try once more (`app-error`)."""
    response = trigger(make_response("", 400), "csrf-expired")
    return reswap(trigger(response, "app-error", {"message": message, "status": 400}), "none")


def reswap(response: Response, swap: str, target: str | None = None) -> Response:
    response.headers["HX-Reswap"] = swap
    if target:
        response.headers["HX-Retarget"] = target
    return response


def after_request(response: Response) -> Response:
    response.vary.update(("HX-Request", "HX-Boosted"))
    # Flash messages reach fragments too: appended as an out-of-band swap into #flashes.
    # Not on a navigation (HX-Redirect): the next page shows them.
    if (is_partial() and "_flashes" in session and response.mimetype == "text/html"
            and "HX-Redirect" not in response.headers and not response.direct_passthrough):
        messages = get_flashed_messages(with_categories=True)
        if messages:
            response.set_data(response.get_data() + render_template("_flashes.html", messages=messages, oob=True).encode())
    return response


def init_app(app) -> None:
    app.after_request(after_request)
