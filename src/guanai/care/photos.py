"""Visit photos and signatures as they are kept: resized, turned upright, without metadata.

A phone photo carries EXIF: the camera, the time and often the GPS position of the
recipient's home. The stored copy is re-encoded from the pixels alone, so nothing of the
original's metadata (EXIF, XMP, comments) survives, except the GPS block when the visitor
ticked to keep the location on purpose. Pure functions of bytes; the services store them.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_SIDE = 1600  # px, the longer side of a stored photo: enough to read a document held up to the camera
SIGNATURE_MAX_SIDE = 1000
JPEG_QUALITY = 82
MAX_PHOTO_BYTES = 15 * 1024 * 1024  # a phone's original; the stored copy is a few hundred KB
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 80_000_000  # refused before decoding: a 200-megapixel "photo" is a decompression bomb
GPS_IFD = 0x8825
ACCEPTED = {"JPEG": "JPG", "PNG": "PNG", "WEBP": "WebP", "MPO": "JPG"}  # MPO: some phones' JPEG


@dataclass(frozen=True)
class Prepared:
    content: bytes
    content_type: str
    width: int
    height: int
    suffix: str
    location_kept: bool = False


def _open(data: bytes, label: str, max_bytes: int, field: str = "photos"):
    from PIL import Image, UnidentifiedImageError

    if len(data) > max_bytes:
        raise ValidationError({field: f"{label}超过{max_bytes // (1024 * 1024)}MB，请重新拍摄或压缩后上传"})
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ValidationError({field: f"{label}像素过大，请重新拍摄"}) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError({field: f"{label}不是JPG、PNG或WebP图片"}) from None
    if image.format not in ACCEPTED:
        raise ValidationError({field: f"{label}不是JPG、PNG或WebP图片"})
    if image.width * image.height > MAX_PIXELS:
        raise ValidationError({field: f"{label}像素过大（{image.width}×{image.height}），请重新拍摄"})
    return image


def _flatten(image):
    """RGB on white: a PNG's transparency would turn black in a JPEG."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def prepare_photo(data: bytes, *, keep_location: bool = False, label: str = "照片") -> Prepared:
    """A JPEG no larger than MAX_SIDE on its longer side, upright, without metadata; with
    the original's GPS block only when ``keep_location``."""
    from PIL import Image, ImageOps

    image = _open(data, label, MAX_PHOTO_BYTES)
    try:
        gps = {}
        if keep_location:
            gps = dict(image.getexif().get_ifd(GPS_IFD))
        # JPEG decodes at 1/2, 1/4, 1/8 scale when that still covers the target: less memory and time.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
        # Only the pixels go on: a fresh image has no info (no EXIF, XMP, ICC, comment) to re-save.
        clean = Image.new("RGB", upright.size)
        clean.paste(_flatten(upright))
    except (OSError, ValueError, SyntaxError):
        raise ValidationError({"photos": f"{label}文件已损坏，无法读取"}) from None
    finally:
        image.close()
    options = {"format": "JPEG", "quality": JPEG_QUALITY, "optimize": True}
    if gps:
        exif = Image.Exif()
        exif[GPS_IFD] = gps
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    clean.save(out, **options)
    return Prepared(out.getvalue(), "image/jpeg", clean.width, clean.height, ".jpg", bool(gps))


def prepare_signature(data: bytes) -> Prepared:
    """A signature drawn on the phone: a grey PNG on white, at most SIGNATURE_MAX_SIDE wide."""
    from PIL import Image

    image = _open(data, "签名图片", MAX_SIGNATURE_BYTES, "signature")
    try:
        grey = _flatten(image).convert("L")
        grey.thumbnail((SIGNATURE_MAX_SIDE, SIGNATURE_MAX_SIDE), Image.LANCZOS)
        clean = Image.new("L", grey.size)
        clean.paste(grey)
    except (OSError, ValueError, SyntaxError):
        raise ValidationError({"signature": "签名图片已损坏，请重新签字"}) from None
    finally:
        image.close()
    if clean.getextrema()[0] > 200:  # nothing darker than light grey: an empty pad
        raise ValidationError({"signature": "签名为空，请对象在签字框内签字，或勾选“对象拒绝签字”"})
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return Prepared(out.getvalue(), "image/png", clean.width, clean.height, ".png")


def signature_from_data_url(text: str | None) -> bytes | None:
    """The PNG bytes of the signature pad's ``data:image/png;base64,...`` (None when empty)."""
    text = (text or "").strip()
    if not text:
        return None
    head, _comma, payload = text.partition(",")
    if not head.startswith("data:image/") or ";base64" not in head:
        raise ValidationError({"signature": "签名数据无效，请重新签字"})
    if len(payload) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError({"signature": "签名图片过大，请清除后重新签字"})
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": "签名数据无效，请重新签字"}) from None
