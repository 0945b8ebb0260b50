"""Memory of one evidence photo upload: how far a process's resident memory rises above where it was while
one photo is uploaded to an inspection item (the route, its check and shrink, as a worker runs it), each
case in a process of its own with the demo county loaded, after a small photo has warmed the route up.

Cases: the decompression bomb of issue 17 (a 12600×12600 PNG, 1 bit a pixel, 19 KB), a 50-megapixel
camera JPEG (8160×6120), and the largest PNG accepted (4000×4000, with transparency). Peak resident
memory is Linux's high-water mark (VmHWM), reset before the upload (/proc/self/clear_refs).

    .venv/bin/python bench/upload_memory.py

The production profile, so Pillow's DecompressionBombWarning is what the process's own warning filters
make of it (the tests turn every warning into an error). The routes are the same before and after the
evidence service (portal/files/evidence.py): run it with PYTHONPATH on an older checkout to compare.
"""
import io
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import db
from portal.models import Inspection, InspectionStatus

CASES = {
    "bomb": "解压炸弹 PNG 12600×12600",
    "camera": "相机 JPEG 8160×6120",
    "png": "PNG 4000×4000（透明）",
}


def image(case: str) -> bytes:
    out = io.BytesIO()
    if case == "bomb":
        Image.new("1", (12600, 12600)).save(out, "PNG")
    elif case == "camera":
        Image.effect_noise((8160, 6120), 24).convert("RGB").save(out, "JPEG", quality=85)
    else:
        Image.linear_gradient("L").resize((4000, 4000)).convert("RGBA").save(out, "PNG")
    return out.getvalue()


def status_mb(field: str) -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def one(case: str) -> None:
    """In a process of its own: the demo county, an inspector signed in, one upload measured."""
    folder = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups")})
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
        inspection = db.session.scalar(select(Inspection).where(Inspection.status == InspectionStatus.DRAFT))
        username, item = inspection.inspector.username, inspection.version.sections[0].items[0].id
        url = f"/inspections/{inspection.id}/items/{item}/photos"
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True))[1]

    def upload(data: bytes, key: str):
        return client.post(url, data={"photo": (io.BytesIO(data), "现场.png"), "key": key},
                           headers={"HX-Request": "true", "X-CSRFToken": token}, content_type="multipart/form-data")

    small = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(small, "JPEG")
    if upload(small.getvalue(), "bench-warm-up").status_code != 200:
        sys.exit("the warm-up photo was refused")
    data = image(case)
    Path("/proc/self/clear_refs").write_text("5")
    before = status_mb("VmRSS")
    start = time.perf_counter()
    response = upload(data, "bench-measured")
    elapsed = time.perf_counter() - start
    shutil.rmtree(folder)
    print(f"{CASES[case]}\t{len(data) / 1024:.0f}\t{response.status_code}\t{before:.0f}\t{status_mb('VmHWM'):.0f}"
          f"\t{status_mb('VmHWM') - before:.0f}\t{elapsed:.2f}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        one(sys.argv[2])
        return
    print(f"{'case':<28}{'KB':>8}{'status':>8}{'RSS MB':>9}{'peak MB':>9}{'rise MB':>9}{'s':>7}")
    for case in CASES:
        done = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr)
        name, *figures = done.stdout.strip().splitlines()[-1].split("\t")
        wide = sum(unicodedata.east_asian_width(c) in "WF" for c in name)  # a Chinese character takes two columns
        print(f"{name:<{28 - wide}}" + "".join(f"{f:>{w}}" for f, w in zip(figures, (8, 8, 9, 9, 9, 7))))


if __name__ == "__main__":
    main()
