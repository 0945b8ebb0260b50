import functools
import io
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.extensions import db
from portal.files.uploads import UploadError, accept, sniff, store
from portal.models import Attachment
from portal.storage import storage


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


@functools.cache
def bomb() -> bytes:
    """Issue 17's decompression bomb: 12600×12600 pixels, 1 bit each, in 19 KB of PNG."""
    out = io.BytesIO()
    Image.new("1", (12600, 12600)).save(out, "PNG")
    return out.getvalue()


def memory_mb(field: str) -> float:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), from Linux's /proc."""
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def refused_undecoded(app, send) -> str:
    """Send the bomb with `send(data)` where Pillow only warns of it, and check that it was refused by its
    header: a 422, nothing stored, and this process's peak memory (its high-water mark, reset first) barely
    risen, where decoding it takes 159 MB at Pillow's 1 byte a pixel (shrinking it as photos were: 1.6 GB).
    The answer's text."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.rglob("*")), count_attachments(app)
    data = bomb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        Path("/proc/self/clear_refs").write_text("5")
        start = memory_mb("VmRSS")
        response = send(data)
        risen = memory_mb("VmHWM") - start
    assert risen < 40
    assert response.status_code == 422
    assert (set(folder.rglob("*")), count_attachments(app)) == before
    return response.get_data(as_text=True)


def count_attachments(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attachment))


def test_type_comes_from_content_not_name():
    assert sniff(png_bytes()) == "image/png"
    assert sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff(b"<script>alert(1)</script>") is None
    with pytest.raises(UploadError, match="不是可接受的文件类型"):
        accept(b"MZ\x90\x00 fake exe", "photo.jpg", max_bytes=10_000)


def test_images_only_refuses_pdf():
    with pytest.raises(UploadError, match="只能上传照片"):
        accept(b"%PDF-1.7", "a.pdf", images_only=True, max_bytes=10_000)


def test_size_capped():
    with pytest.raises(UploadError, match="文件太大"):
        accept(png_bytes((600, 600)), "big.png", max_bytes=100)


def test_too_many_pixels_are_refused_by_the_header():
    """A JPEG is shrunk without decoding it whole, so it may have more pixels than formats decoded whole."""
    def image(size, kind):
        out = io.BytesIO()
        Image.new("L", size).save(out, kind)
        return out.getvalue()

    assert accept(image((5000, 4000), "JPEG"), "a.jpg", images_only=True, max_bytes=10**7) == "image/jpeg"
    for refused in (image((5000, 3500), "PNG"), bomb()):
        with pytest.raises(UploadError, match="像素太多"):
            accept(refused, "大图.png", max_bytes=10**7)


def test_pillows_warning_refuses_a_bomb_wherever_the_app_opens_an_image():
    """Between its limit and twice it Pillow only warns, then decodes: in the app's processes that warning
    is an error (the tests make every warning one, so the app is imported in a process of its own)."""
    code = "import io, sys; from PIL import Image; import portal.files.uploads; Image.open(io.BytesIO(sys.stdin.buffer.read()))"
    opened = subprocess.run([sys.executable, "-c", code], input=bomb(), capture_output=True)
    assert opened.returncode == 1 and b"DecompressionBombWarning: Image size (158760000 pixels)" in opened.stderr


def test_empty_refused():
    with pytest.raises(UploadError, match="空"):
        accept(b"", "a.png", max_bytes=100)


def test_stored_under_generated_name_and_served_only_in_scope(app, client, auth, make_school):
    own, other = make_school(), make_school()
    data = png_bytes()
    with app.app_context():
        attachment = store(data, "../../etc/passwd.png", "image/png", school_id=own, user_id=None)
        db.session.add(attachment)
        db.session.commit()
        path = storage().path(attachment.storage_key)
        aid = attachment.id
    assert path.read_bytes() == data and "passwd" not in str(path)
    auth.login_as("principal", school_id=own)
    with client.get(f"/files/{aid}") as response:
        assert response.status_code == 200 and response.data == data
        assert response.headers["Content-Type"] == "image/png"
    other_client = app.test_client()
    from tests.conftest import Auth

    Auth(app, other_client, auth.make_user).login_as("principal", school_id=other)
    assert other_client.get(f"/files/{aid}").status_code == 403


def test_storage_refuses_path_keys(app):
    with app.app_context(), pytest.raises(ValueError):
        storage().path("../secret")


def camera_jpeg(gps=None) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    if gps:
        exif[0x8825] = gps
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (90, 140, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


GPS = {1: "N", 2: (30.0, 36.0, 18.0), 3: "E", 4: (114.0, 18.0, 9.0)}


@pytest.mark.parametrize("keep,location,expected", [
    (False, None, None),                         # the default: the camera's position goes with its EXIF
    (False, (29.5, 113.2), None),                # …even when the tablet sent it
    (True, None, (30.605, 114.3025)),            # kept: from the photo's own EXIF when it arrives whole
    (True, (29.5, -113.25), (29.5, -113.25)),    # kept: as the tablet read it before shrinking
])
def test_photo_location_is_kept_only_when_the_office_says_so(app, keep, location, expected):
    from portal.files import evidence

    app.config["PHOTO_KEEP_LOCATION"] = keep
    with app.test_request_context():
        picture, thumbnail = evidence.shrink(camera_jpeg(GPS), location)
    with Image.open(io.BytesIO(picture)) as stored, Image.open(io.BytesIO(thumbnail)) as small:
        assert stored.size == (200, 300)  # upright
        assert 0x0112 not in stored.getexif() and not small.getexif()
        found = evidence.location_of(stored)
        assert found == expected if expected is None else found == pytest.approx(expected, abs=1e-3)
