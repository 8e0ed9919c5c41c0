"""Reading legacy documents: plain text, Word (.docx) and text PDFs, one file,
a folder or a zip archive. No Django here; errors are ``ReadError`` with a
Chinese message for the user."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf")
ARCHIVE_SUFFIXES = (".zip",)
MAX_FILE_BYTES = 50 * 1024 * 1024  # one document
MAX_ZIP_TOTAL_BYTES = 500 * 1024 * 1024  # everything inside one zip, uncompressed
_SYSTEM_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
_HAS_TEXT = re.compile(r"[\w]")


class ReadError(ValueError):
    """A file that cannot be read as a document; the message is for the user."""


@dataclass
class ReadResult:
    text: str
    title_hint: str = ""  # a title the file itself declares (Word's document properties)


@dataclass
class Source:
    """One file found in what the user gave: its name (a path inside a folder or
    zip), its bytes, or why it was skipped or could not be read."""

    name: str
    data: bytes | None = None
    error: str = ""  # the file should have been a document but cannot be read
    skipped: str = ""  # not a document (another file type in a folder or zip)

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name.replace("\\", "/")).name


def suffix_of(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def unsupported_message(name: str) -> str:
    suffix = suffix_of(name)
    if suffix == ".doc":
        return "暂不支持旧版 Word（.doc）文件，请在 Word 或 WPS 中另存为 .docx 后再导入"
    if suffix in (".wps", ".rtf"):
        return f"暂不支持 {suffix} 文件，请另存为 .docx 后再导入"
    shown = suffix or "无扩展名"
    return f"不支持的文件类型（{shown}），请上传 .txt、.docx、.pdf 文件或 .zip 压缩包"


# --- one file --------------------------------------------------------------


def read_document(name: str, data: bytes) -> ReadResult:
    """The text of one document file, by its suffix."""
    suffix = suffix_of(name)
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    if not data:
        raise ReadError("文件为空")
    if suffix == ".txt":
        result = ReadResult(decode_text(data))
    elif suffix == ".docx":
        result = _read_docx(data)
    elif suffix == ".pdf":
        result = _read_pdf(data)
    else:
        raise ReadError(unsupported_message(name))
    if not _HAS_TEXT.search(result.text):
        raise ReadError("文件中没有可读取的文字")
    return result


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
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("无法识别文本文件的编码，请另存为 UTF-8 或 GBK 编码后重试")


def _read_docx(data: bytes) -> ReadResult:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises several kinds for a file that is not a .docx
        raise ReadError("无法打开 Word 文件：文件已损坏或不是 .docx 格式（旧版 .doc 请先另存为 .docx）") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            lines.extend(_table_lines(Table(child, document)))
            lines.append("")
    title = (document.core_properties.title or "").strip()
    return ReadResult("\n".join(lines), title_hint=title)


def _table_lines(table) -> Iterator[str]:
    """A table row by row, cells separated by tabs; a merged cell counted once."""
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        if any(cells):
            yield "\t".join(cells)


def _read_pdf(data: bytes) -> ReadResult:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("PDF 文件已加密，请先解除密码保护后再导入")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except Exception:  # pypdf raises many kinds for a damaged file
        raise ReadError("无法读取 PDF 文件：文件已损坏或不是 PDF 格式") from None
    text = "\n\n".join(unwrap_lines(page) for page in pages)
    if not _HAS_TEXT.search(text):
        raise ReadError("PDF 中没有可提取的文字，可能是扫描件（图片）。请先进行文字识别（OCR），"
                        "转换为文字版 PDF 或 Word 文件后再导入")
    # PDF metadata titles are mostly converter debris ("Microsoft Word - 文档1"): not used.
    return ReadResult(text)


_LINE_END_KEEP = "。！？；：”’」』）)!?;:"


def unwrap_lines(text: str) -> str:
    """Join the hard line breaks a PDF puts inside sentences: a full-width line
    that does not end a sentence continues on the next line. Short lines
    (titles, last lines of paragraphs) keep their break."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    widths = sorted(len(line) for line in lines if line.strip())
    if not widths:
        return ""
    full = widths[min(len(widths) - 1, int(len(widths) * 0.9))]  # a full line's width
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out:
            glue = " " if (out[-1][-1:].isascii() and out[-1][-1:].isalnum() and line[:1].isascii() and line[:1].isalnum()) else ""
            out[-1] = out[-1] + glue + line.lstrip()
        else:
            out.append(line)
        stripped = line.strip()
        joining = bool(stripped) and len(line) >= full * 0.8 and stripped[-1] not in _LINE_END_KEEP
    return "\n".join(out)


# --- a folder, a zip or a file ---------------------------------------------


def _is_hidden(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or parts[-1].lower() in _SYSTEM_NAMES


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The real name of a zip member. Archives made on Chinese Windows store names
    in GBK without the UTF-8 flag, and Python then reads them as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def iter_zip(data_or_path, label: str = "") -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path)
    except (zipfile.BadZipFile, OSError):
        raise ReadError(f"压缩包{f'“{label}”' if label else ''}已损坏或不是 zip 格式") from None
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = zip_member_name(info)
            if _is_hidden(name):
                continue
            if suffix_of(name) not in SUPPORTED_SUFFIXES:
                yield Source(name, skipped=unsupported_message(name))
                continue
            if info.flag_bits & 0x1:
                yield Source(name, error="压缩包中的文件已加密，无法读取")
                continue
            if info.file_size > MAX_FILE_BYTES:
                yield Source(name, error=f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）")
                continue
            total += info.file_size
            if total > MAX_ZIP_TOTAL_BYTES:
                yield Source(name, error="压缩包解压后过大，其余文件未读取")
                return
            try:
                yield Source(name, data=archive.read(info))
            except Exception:  # a damaged member; the others may still be fine
                yield Source(name, error="压缩包中的这个文件已损坏，无法解压")


def iter_folder(folder: Path) -> Iterator[Source]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if _is_hidden(name):
            continue
        suffix = path.suffix.lower()
        if suffix in ARCHIVE_SUFFIXES:
            try:
                yield from iter_zip(path, label=name)
            except ReadError as exc:
                yield Source(name, error=str(exc))
        elif suffix in SUPPORTED_SUFFIXES:
            yield _file_source(path, name)
        else:
            yield Source(name, skipped=unsupported_message(name))


def iter_sources(path: str | Path) -> Iterator[Source]:
    """Every document file at ``path``: a file, a folder (recursively) or a zip."""
    path = Path(path)
    if path.is_dir():
        yield from iter_folder(path)
    elif not path.is_file():
        raise ReadError(f"文件不存在：{path}")
    elif path.suffix.lower() in ARCHIVE_SUFFIXES:
        yield from iter_zip(path, label=path.name)
    else:
        yield _file_source(path, path.name)


def _file_source(path: Path, name: str) -> Source:
    if path.stat().st_size > MAX_FILE_BYTES:
        return Source(name, error=f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    return Source(name, data=path.read_bytes())


def count_files(path: str | Path) -> int | None:
    """How many entries ``iter_sources`` will give, without reading them (None if unknown)."""
    path = Path(path)

    def in_zip(zip_path: Path) -> int:
        try:
            with zipfile.ZipFile(zip_path) as archive:
                return sum(1 for info in archive.infolist() if not info.is_dir() and not _is_hidden(zip_member_name(info)))
        except (zipfile.BadZipFile, OSError):
            return 1

    if path.is_dir():
        total = 0
        for file in path.rglob("*"):
            if file.is_file() and not _is_hidden(file.relative_to(path).as_posix()):
                total += in_zip(file) if file.suffix.lower() in ARCHIVE_SUFFIXES else 1
        return total
    if path.is_file():
        return in_zip(path) if path.suffix.lower() in ARCHIVE_SUFFIXES else 1
    return None
