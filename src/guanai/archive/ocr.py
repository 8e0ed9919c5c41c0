"""Reading scans: image-only PDF pages and photos, by OCR with Tesseract and its
simplified-Chinese data (Debian's ``tesseract-ocr`` and ``tesseract-ocr-chi-sim``),
pages rendered by Poppler's ``pdftoppm``. No Django here.

A page is read one at a time (memory stays flat however long the scan), as a
grey image no wider than ``OCR_WIDTH`` pixels: Tesseract's Chinese model reads
characters best at about 30 pixels high, which an A4 page scanned at 300 dpi
and brought down to this width gives for body text of 12 to 16 pt.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

OCR_WIDTH = 1900
RENDER_DPI = 300
LANGUAGE = "chi_sim"
LOW_CONFIDENCE = 75.0  # mean word confidence (0-100) under which a page is marked for checking
PAGE_SECONDS = 120  # one page's OCR or rendering never runs longer

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_NEIGHBOUR = re.compile(f"(?<=[{_HAN}，。、；：！？“”（）《》])\\s+(?=[{_HAN}，。、；：！？“”（）《》\\d])"
                            f"|(?<=[{_HAN}\\d])\\s+(?=[{_HAN}，。、；：！？“”（）《》])")


class OcrError(RuntimeError):
    """OCR could not run (a tool missing, a page that cannot be rendered); the message is for the user."""


@dataclass
class PageText:
    number: int  # from 1
    text: str
    confidence: float  # mean word confidence, 0-100
    image: bytes  # the page as a PNG, as it was read

    @property
    def needs_check(self) -> bool:
        return self.confidence < LOW_CONFIDENCE or not self.text.strip()


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if not found:
        raise OcrError(f"服务器缺少文字识别组件 {name}（Debian 软件包 {package}），请联系系统管理员安装")
    return found


def available() -> bool:
    return bool(shutil.which("tesseract") and shutil.which("pdftoppm"))


def prepare_image(data: bytes) -> bytes:
    """Any photo or page image as a grey PNG no wider than OCR_WIDTH (raises
    OcrError when it is not an image)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # a phone photo taken sideways
            image = image.convert("L")
            if image.width > OCR_WIDTH:
                image = image.resize((OCR_WIDTH, round(image.height * OCR_WIDTH / image.width)), Image.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        raise OcrError("图片文件已损坏或不是 JPG/PNG 图片") from None


def read_image(png: bytes, number: int = 1) -> PageText:
    """OCR one prepared page image."""
    tesseract = _tool("tesseract", "tesseract-ocr")
    try:
        done = subprocess.run([tesseract, "stdin", "stdout", "-l", LANGUAGE, "--psm", "3", "tsv"],
                              input=png, capture_output=True, timeout=PAGE_SECONDS)
    except subprocess.TimeoutExpired:
        raise OcrError(f"第 {number} 页文字识别超时") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace")
        if "chi_sim" in detail:
            raise OcrError("服务器缺少简体中文识别数据（Debian 软件包 tesseract-ocr-chi-sim），请联系系统管理员安装")
        raise OcrError(f"第 {number} 页无法识别文字")
    text, confidence = _from_tsv(done.stdout.decode("utf-8", "replace"))
    return PageText(number, text, confidence, png)


def _from_tsv(tsv: str) -> tuple[str, float]:
    """Text (lines, paragraphs) and mean word confidence from Tesseract's TSV."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word = cells[11].strip()
        if not word:
            continue
        try:
            confidences.append(float(cells[10]))
        except ValueError:
            pass
        lines.setdefault((int(cells[2]), int(cells[3]), int(cells[4])), []).append(word)
    out: list[str] = []
    last_paragraph = None
    for (block, paragraph, _line), words in lines.items():
        if last_paragraph is not None and (block, paragraph) != last_paragraph:
            out.append("")
        last_paragraph = (block, paragraph)
        out.append(_CJK_NEIGHBOUR.sub("", " ".join(words)))
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return "\n".join(out), round(mean, 1)


def render_pdf_page(data_path: Path, number: int) -> bytes:
    """One page of a PDF file as a prepared PNG."""
    pdftoppm = _tool("pdftoppm", "poppler-utils")
    with tempfile.TemporaryDirectory(prefix="guanai-page-") as folder:
        target = Path(folder) / "page"
        try:
            done = subprocess.run([pdftoppm, "-r", str(RENDER_DPI), "-gray", "-png", "-f", str(number),
                                   "-l", str(number), "-singlefile", str(data_path), str(target)],
                                  capture_output=True, timeout=PAGE_SECONDS)
        except subprocess.TimeoutExpired:
            raise OcrError(f"第 {number} 页无法渲染（超时）") from None
        png = target.with_suffix(".png")
        if done.returncode != 0 or not png.exists():
            raise OcrError(f"第 {number} 页无法渲染")
        return prepare_image(png.read_bytes())
