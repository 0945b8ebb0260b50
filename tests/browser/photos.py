"""A tablet camera's photo for the tests and bench/photo_upload.py: 4000×3000, 4-5 MB, with the
camera's EXIF (orientation, maker, GPS position)."""
import io

from PIL import Image

GPS = {1: "N", 2: (30.0, 36.0, 18.0), 3: "E", 4: (114.0, 18.0, 9.0)}  # 30°36'18"N 114°18'9"E


def camera_photo(width: int = 4000, height: int = 3000, orientation: int = 1) -> bytes:
    """Smooth light and shade with fine grain, as a camera sees a classroom wall: compresses like a
    real photo, not like a flat colour or pure noise."""
    grain = Image.effect_noise((width // 4, height // 4), 48).resize((width, height), Image.Resampling.BILINEAR)
    light = Image.linear_gradient("L").resize((width, height))
    channels = [Image.blend(grain, light, share) for share in (0.55, 0.45, 0.65)]
    picture = Image.merge("RGB", [channels[0], channels[1].transpose(Image.Transpose.FLIP_LEFT_RIGHT), channels[2]])
    exif = Image.Exif()
    exif[0x0112] = orientation      # Orientation
    exif[0x010F] = "TabletCam"      # Make
    exif[0x8825] = GPS              # GPSInfo
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()
