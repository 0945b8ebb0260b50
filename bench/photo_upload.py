"""What a tablet camera's photo costs the school's Wi-Fi: a 4000×3000 JPEG (4-5 MB, with its EXIF)
picked on the filling page in Chromium, shrunk on the tablet (static/js/photos.js) and sent over a
1 Mbit/s uplink. Prints the bytes that crossed the network beside the original's, and the time
from picking the photo to its thumbnail on the page beside what the original would take on the
same link (its size over the link's rate). Prints figures; never fails on them.

    .venv/bin/python bench/photo_upload.py [--n 3] [--uplink-kbit 1000]
"""
import argparse
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portal import create_app  # noqa: E402
from portal.demo import DEMO_PASSWORD, seed  # noqa: E402
from portal.extensions import db  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.browser.photos import camera_photo  # noqa: E402


def serve(folder: Path, sent: list) -> str:
    """The demo county on a local server; `sent` gets the body size of every photo upload."""
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups"),
                      "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
    wsgi = app.wsgi_app

    def counting(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/photos"):
            sent.append(int(environ.get("CONTENT_LENGTH") or 0))
        return wsgi(environ, start_response)

    app.wsgi_app = counting
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3, help="photos to upload (default 3)")
    parser.add_argument("--uplink-kbit", type=int, default=1000, help="uplink in kbit/s (default 1000)")
    args = parser.parse_args()
    rate = args.uplink_kbit * 1000 / 8  # bytes per second
    photo = camera_photo()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        sent, times = [], []
        base = serve(Path(folder), sent)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True).new_page()
        page.goto(base + "/login")
        page.get_by_label("用户名").fill("duxue1")
        page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(base + "/inspections/new")
        page.get_by_label("学校").select_option(index=1)
        page.get_by_label("检查表").select_option(page.locator("#version option", has_text="五项管理").get_attribute("value"))
        page.get_by_role("button", name="开始检查").click()
        page.wait_for_url(re.compile(r"/fill$"))
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                      "uploadThroughput": rate})
        for i in range(args.n):
            started = time.perf_counter()
            page.locator(".sheet-item").first.locator("input[type=file]").set_input_files(
                files=[{"name": f"IMG_{i}.jpg", "mimeType": "image/jpeg", "buffer": photo}])
            expect(page.locator(".sheet-item").first.get_by_alt_text(f"佐证照片 {i + 1}")).to_be_visible(timeout=120_000)
            times.append(time.perf_counter() - started)
        browser.close()
    print(f"camera photo 4000×3000, uplink {args.uplink_kbit} kbit/s, {args.n} uploads")
    print(f"{'':34}{'bytes':>12}{'seconds':>10}")
    print(f"{'original (what used to be sent)':34}{len(photo):>12,}{len(photo) / rate:>10.1f}  (size ÷ link rate)")
    print(f"{'sent, shrunk on the tablet':34}{int(statistics.median(sent)):>12,}{statistics.median(times):>10.1f}"
          "  (median; picking to thumbnail)")
    print(f"ratio sent ÷ original: {statistics.median(sent) / len(photo):.3f}; goal: at most 600 KB "
          f"({600 * 1024:,} bytes) → {'met' if statistics.median(sent) <= 600 * 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
