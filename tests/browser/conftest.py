"""A live server with the demo county, and Chromium at tablet size (1024×768, touch)."""
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import db

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HERE = Path(__file__).parent
# A slow school link under every page of the run, to bring out tests that race the network before CI
# does: `BROWSER_LATENCY_MS=300 make test PYTEST_WORKERS=3 PYTEST_ARGS=tests/browser` (0, the default: none).
LATENCY_MS = int(os.environ.get("BROWSER_LATENCY_MS") or 0)


@pytest.hookimpl(tryfirst=True)  # before -m chooses by markers
def pytest_collection_modifyitems(items):
    """Every test in this folder drives Chromium: marked `browser` whether its file says so or not."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


def demo_app(folder):
    """The demo county served from its own SQLite file in `folder` (also in the PostgreSQL run: this
    checks the browser, not the database)."""
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups"),
                      "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The served app: tests read the database through it to check what really arrived."""
    app = demo_app(tmp_path_factory.mktemp("browser"))
    yield app
    with app.app_context():
        db.engine.dispose()


def buffered(app):
    """The app's responses read whole and closed before a byte is sent. Werkzeug's development server
    reads what is left of a request before closing the response, and when Chromium has dropped the
    connection (a page closed while its scripts were loading) that read raises first: the static
    file stays open, and its ResourceWarning fails whichever test is running when it is collected."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@contextmanager
def serving(app):
    """`app` served on a free port in a thread of this process; yields its address."""
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="session")
def live_server(live_app):
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # two cores shared with the server: give swaps time

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Chromium words a refused inline style or script in several ways over its versions ("Refused to apply
# inline style", "Applying inline style violates…", "Refused to execute inline script"); the page's own
# securitypolicyviolation event says it one way, whatever the version.
CSP_REPORT = "Content Security Policy violation"
CSP_MESSAGE = re.compile(r"Refused to (apply|execute|evaluate|load)|Applying inline style|Content Security Policy"
                         r"|" + CSP_REPORT)
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", function (e) {
  const where = e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 120) : location.pathname;
  console.error("%s: " + e.violatedDirective + " at " + where);
}, true);""" % CSP_REPORT


class Violations:
    """CSP violations reported by any page of a browser context (pages a test opens itself included)."""

    def __init__(self):
        self.found: list[str] = []
        self.expected = False

    def watch(self, context) -> None:
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", lambda message: self.found.append(message.text)
                   if message.type == "error" and CSP_MESSAGE.search(message.text) else None)


@pytest.fixture(autouse=True)
def csp_violations():
    """Every browser test fails on a CSP violation in any of its pages, whatever else it allows (a
    test that provokes one on purpose sets `expected`)."""
    violations = Violations()
    yield violations
    assert violations.expected or violations.found == [], f"CSP violations: {violations.found}"


def tablet(browser, violations: Violations):
    """A browser context at tablet size, touch, its CSP violations watched."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, is_mobile=False,
                                  locale="zh-CN")
    violations.watch(context)
    return context


@pytest.fixture
def context(browser, csp_violations):
    context = tablet(browser, csp_violations)
    yield context
    context.close()


class Console:
    """Console errors and uncaught exceptions of one page. Chromium reports CSP violations
    as console errors. A test that provokes an error answer on purpose says so with allow()."""

    def __init__(self):
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, status: int) -> None:
        """The browser may log that a response had this HTTP status (401 ended session, 422 invalid form)."""
        self.allowed.append(re.compile(rf"(status of|Status Error Code) {status}\b"))

    def allow_network_failures(self) -> None:
        """The browser may log requests that failed on the way (a test cuts the network or loses replies)."""
        self.allowed.append(re.compile(r"net::ERR_(FAILED|INTERNET_DISCONNECTED|CONNECTION_\w+|ABORTED)"))

    def on_message(self, message) -> None:
        if message.type == "error" and not any(p.search(message.text) for p in self.allowed):
            self.problems.append(message.text)


@pytest.fixture
def console():
    return Console()


@pytest.fixture
def page(context, live_server, console):
    page = context.new_page()
    page.on("console", console.on_message)
    page.on("pageerror", lambda error: console.problems.append(f"uncaught: {error}"))
    page.base = live_server
    if LATENCY_MS:
        network(page)
        # Playwright's own offline switch and this emulation are two sessions' conditions, the later one
        # winning: a test's set_offline(True) must also say so here, or its requests still go out.
        set_offline = context.set_offline
        context.set_offline = lambda offline: (set_offline(offline), page.is_closed() or network(page, offline=offline))
    yield page
    assert console.problems == [], f"browser console errors: {console.problems}"


def network(page, **conditions) -> None:
    """Chromium's network emulation for this page (latency in ms, throughput in bytes per second): one
    session a page, so that a later call changes only what it names (two sessions' conditions would
    replace each other whole)."""
    if not hasattr(page, "emulation"):
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        page.emulation = (cdp, {"offline": False, "latency": LATENCY_MS, "downloadThroughput": -1, "uploadThroughput": -1})
    cdp, current = page.emulation
    current.update(conditions)
    cdp.send("Network.emulateNetworkConditions", current)


def settled(page) -> None:
    """Wait until htmx has finished a swap. It wires up swapped-in content (hx-trigger listeners)
    only when the swap settles, about 20 ms later: a test quicker than any finger could
    otherwise change a filter before anything listens. After a full page load (a redirect the
    server sent as HX-Redirect), htmx wires up the page only once its deferred scripts have run:
    a page whose heading shows while they still load (the service worker fetching its copies
    beside them) would send the next tap's form the plain way, and reload (seen in CI)."""
    page.wait_for_function("() => document.readyState === 'complete'"
                           " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def signed_out(page) -> None:
    """Whoever was signed in here is gone, before the next person signs in on this tablet. The page is
    left first: a photo of it still loading would go out without a cookie, and the sign-in redirect it
    got would begin a session of its own, refusing the sign-in form opened meanwhile (seen in CI)."""
    page.goto("about:blank")
    page.context.clear_cookies()


def sign_in(page, username: str, password: str = DEMO_PASSWORD, succeeds: bool = True):
    page.goto(page.base + "/login")
    submit_login(page, username, password)
    if succeeds:
        page.wait_for_url(lambda url: "/login" not in url)
        settled(page)  # the sign-in form is boosted: the home page arrives as a swap


def submit_login(page, username: str, password: str = DEMO_PASSWORD):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").tap()
