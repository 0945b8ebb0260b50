"""A live server with the demo county, and Chromium at tablet size (1024×768, touch)."""
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import db

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before -m chooses by markers
def pytest_collection_modifyitems(items):
    """Every test in this folder drives Chromium: marked `browser` whether its file says so or not."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The served app: tests read the database through it to check what really arrived."""
    folder = tmp_path_factory.mktemp("browser")
    # Its own SQLite file, also in the PostgreSQL run: this checks the browser, not the database.
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups"),
                      "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
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


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, buffered(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # two cores shared with the server: give swaps time

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, is_mobile=False,
                                  locale="zh-CN")
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
    yield page
    assert console.problems == [], f"browser console errors: {console.problems}"


def settled(page) -> None:
    """Wait until htmx has finished a swap. It wires up swapped-in content (hx-trigger listeners)
    only when the swap settles, about 20 ms later: a test quicker than any finger could
    otherwise change a filter before anything listens."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


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
