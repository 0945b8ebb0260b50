import io

import pytest
from PIL import Image

from portal.extensions import db
from portal.files.uploads import UploadError, accept, sniff, store
from portal.storage import storage


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


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
