"""Photos that are too large (手机照片): shrunk instead of refused.

A phone photo is easily 5-15 MB and 4000 px wide; the platform keeps files up to
ATTACHMENTS.MAX_BYTES. `shrink` re-encodes a JPEG or PNG whose bytes exceed the limit
or whose longer side exceeds `max_side` as a JPEG with the longer side at most
`max_side` (the camera's rotation applied, transparency on white), lowering the
quality and then the size step by step until it fits. Everything else is returned
unchanged, so the upload rules (core/uploads.py) judge it as sent. Plain Python over
Pillow; the pages shrink photos in the browser first (static/photo_resize.js), this is
the server's own guarantee for clients that do not.
"""
import io

from PIL import Image, ImageOps

MAX_SIDE = 2560
QUALITIES = (85, 75, 65, 55)
#: Larger than this many pixels is not a photo but a decompression bomb: left as sent.
MAX_PIXELS = 80_000_000

_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def is_photo(data):
    return any(data.startswith(s) for s in _SIGNATURES)


def jpeg_name(filename):
    """`filename` with a .jpg extension (IMG_0001.PNG -> IMG_0001.jpg)."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem or 'photo'}.jpg"


def shrink(data, filename, max_bytes, max_side=MAX_SIDE):
    """(bytes, filename): the photo re-encoded to fit, or both unchanged when it fits
    already, is not a JPEG/PNG, or cannot be decoded."""
    if not is_photo(data):
        return data, filename
    try:
        image = Image.open(io.BytesIO(data))
        too_big = len(data) > max_bytes or max(image.size) > max_side
        if not too_big or image.size[0] * image.size[1] > MAX_PIXELS:
            return data, filename
        if image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))   # decode at a reduced scale: less time and memory
        image = ImageOps.exif_transpose(image)
        image = _flattened(image)
        side = max_side
        while side >= 320:
            image.thumbnail((side, side), Image.LANCZOS)
            for quality in QUALITIES:
                out = io.BytesIO()
                image.save(out, "JPEG", quality=quality, optimize=True)
                if out.tell() <= max_bytes:
                    return out.getvalue(), jpeg_name(filename)
            side = int(side * 0.7)
    except (OSError, ValueError, Image.DecompressionBombError):
        return data, filename
    return data, filename


def _flattened(image):
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
