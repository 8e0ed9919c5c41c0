"""Scanned pages for the tests, rendered from a known text: a clean 300-dpi
A4 page in Noto Serif CJK (Debian's fonts-noto-cjk), as an image or as an
image-only PDF, so an OCR result can be measured against the text."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

A4_300DPI = (2480, 3508)
_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"

# Written for the tests: a briefing's paragraph, figures and all.
KNOWN_TEXT = """城关镇2025年关爱留守儿童工作简报
今年以来，全镇共走访留守儿童家庭298户，发放慰问金4.5万元。
各村儿童主任每月入户一次，了解孩子的学习和生活情况。
镇民政办联合妇联开展防溺水安全教育12场次，参加学生1300余人。
3月5日，县民政局召开全县农村留守儿童关爱保护工作推进会，
各乡镇分管领导、民政办主任和儿童督导员参加会议。会议通报了
上半年摸底排查情况，全县共登记留守儿童1862名、困境儿童317名，
新建儿童之家6所。会议要求各地落实强制报告制度，发现儿童
无人监护或者遭受侵害的，立即报告并做好应急处置。
下一步，我们将继续完善档案，落实结对帮扶，确保每名儿童有人关爱。"""


def _font(size: int) -> ImageFont.FreeTypeFont:
    for index in range(10):
        font = ImageFont.truetype(_FONT, size, index=index)
        if font.getname()[0].endswith(" SC"):
            return font
    raise LookupError("Noto Serif CJK SC not found")


def page_image(text: str = KNOWN_TEXT, points: int = 14) -> Image.Image:
    """One A4 page at 300 dpi, black text on white, ``points`` pt."""
    size = round(points * 300 / 72)
    image = Image.new("L", A4_300DPI, 255)
    draw = ImageDraw.Draw(image)
    font = _font(size)
    y = 300
    for line in text.split("\n"):
        draw.text((250, y), line, font=font, fill=0)
        y += int(size * 1.8)
    return image


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, dpi=(300, 300))
    return out.getvalue()


def scanned_pdf(images: list[Image.Image]) -> bytes:
    """An image-only PDF: one page per image, no text layer."""
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=300.0, save_all=True, append_images=images[1:])
    return out.getvalue()


def character_accuracy(expected: str, got: str) -> float:
    """1 - (edit distance / length of the expected text), whitespace ignored."""
    a, b = "".join(expected.split()), "".join(got.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / len(a)
