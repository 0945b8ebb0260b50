"""A live server with the demo county, and Chromium at tablet size (1024×768, touch)."""
import re
import threading

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import db

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    # Its own SQLite file, also in the PostgreSQL run: this checks the browser, not the database.
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
                      "UPLOAD_FOLDER": str(folder / "uploads")})
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


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
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    yield context
    context.close()


@pytest.fixture
def page(context, live_server):
    page = context.new_page()
    problems = []

    def on_console(message):
        # Answers we mean to give (422 invalid form, 401 ended session) are not page faults.
        expected = re.search(r"status of (401|422)|Response Status Error Code 401", message.text)
        if message.type == "error" and not expected:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.base = live_server
    yield page
    assert problems == [], f"browser console errors: {problems}"


def sign_in(page, username: str, password: str = DEMO_PASSWORD, succeeds: bool = True):
    page.goto(page.base + "/login")
    submit_login(page, username, password)
    if succeeds:
        page.wait_for_url(lambda url: "/login" not in url)


def submit_login(page, username: str, password: str = DEMO_PASSWORD):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").tap()
