"""What the archive's readers share: the suffixes read, the limits of a text, ``ReadError``,
``ReadResult``, ``Source``, the refusal messages and the decoding of plain text."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from guanai.textproc.encoding import decode_chinese_text


TEXT_SUFFIXES = (".txt",)
WORD_SUFFIXES = (".docx", ".doc", ".wps")
TABLE_SUFFIXES = (".xls", ".et")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + WORD_SUFFIXES + TABLE_SUFFIXES + (".pdf",) + IMAGE_SUFFIXES
ARCHIVE_SUFFIXES = (".zip",)
QUICK_SUFFIXES = (".txt", ".docx")  # read within a request; the others (conversion, OCR) in a job
# No briefing, summary or notice runs longer than this (about 300 pages); a
# longer text is refused before normalising, indexing or searching it.
MAX_DOCUMENT_CHARS = 300_000
MAX_SCAN_PAGES = 200  # pages read by OCR in one document
CONVERT_SECONDS = 120
_HAS_TEXT = re.compile(r"[\w]")

PageProgress = Callable[[int, int], None]  # (pages done, pages in all)


class ReadError(ValueError):
    """A file that cannot be read as a document; the message is for the user."""


@dataclass
class ReadResult:
    text: str
    title_hint: str = ""  # a title the file itself declares (Word's document properties)
    pages: list = field(default_factory=list)  # ocr.PageText of the pages read by OCR
    notes: list[str] = field(default_factory=list)  # what the reader did that the user should know


@dataclass
class Source:
    """One file found in what the user gave: its name (a path inside a folder or
    zip), its bytes, or why it was skipped, refused or could not be read."""

    name: str
    data: bytes | None = None
    error: str = ""  # the file should have been a document but cannot be read
    skipped: str = ""  # not a document (another file type in a folder or zip)
    refused: str = ""  # a zip member that must not be taken (a path leaving the archive)

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name.replace("\\", "/")).name


def suffix_of(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


_ACCEPTED = ".txt、.docx、.doc、.wps、.pdf（含扫描件）、.xls、.et、.jpg、.png 文件或 .zip 压缩包"


def unsupported_message(name: str) -> str:
    suffix = suffix_of(name)
    if suffix == ".rtf":
        return "暂不支持 .rtf 文件，请另存为 .docx 后再导入"
    shown = suffix or "无扩展名"
    return f"不支持的文件类型（{shown}），请上传 {_ACCEPTED}"


def too_long_message(chars: int) -> str:
    return (f"文档文字过长（约 {chars // 10000} 万字，上限 {MAX_DOCUMENT_CHARS // 10000} 万字）："
            "这不像一份简报、总结或通知，请拆分成若干文件后再导入")


_JPEG, _PNG, _PDF = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF"
_OLE, _ZIP = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"


def _image_kind(data: bytes) -> str:
    return "JPEG" if data.startswith(_JPEG) else "PNG" if data.startswith(_PNG) else ""

def decode_text(data: bytes) -> str:
    """Text files of Chinese offices come in UTF-8 (with or without BOM),
    UTF-16 (Windows Notepad's "Unicode") or GBK/GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError("文本文件的 UTF-16 编码有误，无法读取") from None
    if b"\x00" in data[:4096]:
        raise ReadError("这不是文本文件（含有二进制内容），请检查文件类型")
    text = decode_chinese_text(data)
    if text is None:
        raise ReadError("无法识别文本文件的编码，请另存为 UTF-8 或 GBK 编码后重试")
    return text
