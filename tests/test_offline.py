"""Working without the network: the service worker and its offline page (portal/offline)."""
import re

from portal.offline import shell


def test_service_worker_keeps_the_shell_and_only_the_filling_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    for name in shell.SHELL_FILES:
        assert f'"/static/{name}"' in script
    assert '"/offline"' in script
    pages = re.compile(shell.FIELD_PAGES.pattern)
    assert pages.match("/inspections/12/fill") and pages.match("/observations/3/record")
    assert pages.match("/visits/new")  # a visit typed at the school, saved with no network
    assert not pages.match("/inspections/12") and not pages.match("/rectification/3") and not pages.match("/visits/3")


def test_shell_version_follows_the_files(app, tmp_path):
    with app.test_request_context():
        first = shell.version()
        assert first == shell.version() and len(first) == 16
        app.extensions.pop("dudao-shell-version")
        app.static_folder = str(tmp_path)
        for name in shell.SHELL_FILES:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("changed")
        assert shell.version() != first


def test_offline_page_is_the_same_for_everyone(auth, client):
    auth.login_as("inspector")
    html = client.get("/offline").get_data(as_text=True)
    assert "没有网络连接" in html and "data-offline-pages" in html
    assert "data-user" not in html and "退出登录" not in html  # nobody's name or menu is kept


def test_offline_page_starts_no_session(client):
    """The service worker fetches it in the background: a cookie from it could replace the one a
    sign-in page set a moment before, and that sign-in would fail its CSRF check."""
    response = client.get("/offline")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
