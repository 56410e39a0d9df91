"""core/images.py: a photo too large is shrunk to a JPEG that fits; other files and
photos that fit are left exactly as sent."""
import io
import random

from PIL import Image

from core.images import shrink


def _noise(size, fmt, mode="RGB"):
    rng = random.Random(1)
    image = Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def test_a_big_photo_becomes_a_jpeg_under_the_limit_and_the_side():
    png = _noise((1200, 800), "PNG", "RGBA")
    assert len(png) > 300_000
    data, name = shrink(png, "IMG_1.PNG", 300_000, max_side=1000)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and len(data) <= 300_000 and max(image.size) <= 1000
    assert name == "IMG_1.jpg"


def test_a_photo_wider_than_the_side_is_shrunk_even_when_small_in_bytes():
    out = io.BytesIO()
    Image.new("RGB", (4000, 100), "white").save(out, "JPEG")
    data, name = shrink(out.getvalue(), "wide.jpeg", 10_000_000, max_side=2560)
    assert Image.open(io.BytesIO(data)).size == (2560, 64) and name == "wide.jpg"


def test_what_fits_or_is_not_a_photo_is_left_as_sent():
    small = _noise((50, 50), "JPEG")
    assert shrink(small, "a.jpg", 1_000_000) == (small, "a.jpg")
    pdf = b"%PDF-1.4 " + b"0" * 2_000_000
    assert shrink(pdf, "a.pdf", 1000) == (pdf, "a.pdf")
    broken = b"\xff\xd8\xff" + b"junk" * 1000
    assert shrink(broken, "b.jpg", 100) == (broken, "b.jpg")
