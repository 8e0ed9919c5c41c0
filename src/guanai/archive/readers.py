"""Reading legacy documents: plain text, Word (.docx, and .doc/.wps through
LibreOffice), spreadsheets (.xls/.et as text tables), text PDFs, and scans
(image-only PDFs, .jpg/.png photos) by OCR; one file, a folder or a zip
archive. No Django here; errors are ``ReadError`` with a Chinese message for
the user.

This module reads one file (``read_document``, with the size limits) and walks a folder
or a zip (``iter_sources``); ``reading`` holds the types, suffixes and limits they share,
``formats`` the reader of each format. Their public names are importable from here."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

# Re-exported: what callers read from here (readers.ReadError, readers.convert_with_libreoffice ...).
from .formats import (_read_docx, _read_image, _read_old_word, _read_pdf, _read_table, convert_with_libreoffice,
                      unwrap_lines)  # noqa: F401
from .reading import (ARCHIVE_SUFFIXES, CONVERT_SECONDS, IMAGE_SUFFIXES, MAX_DOCUMENT_CHARS, MAX_SCAN_PAGES,
                      PageProgress, QUICK_SUFFIXES, ReadError, ReadResult, SUPPORTED_SUFFIXES, Source,
                      TABLE_SUFFIXES, TEXT_SUFFIXES, WORD_SUFFIXES, _HAS_TEXT, _image_kind, decode_text, suffix_of,
                      too_long_message, unsupported_message)  # noqa: F401


MAX_FILE_BYTES = 50 * 1024 * 1024  # one document
MAX_ZIP_TOTAL_BYTES = 500 * 1024 * 1024  # everything inside one zip, uncompressed, counted as read
MAX_ZIP_MEMBERS = 5000
_READ_CHUNK = 1024 * 1024
_SYSTEM_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


# --- one file --------------------------------------------------------------


def read_document(name: str, data: bytes, *, ocr: bool = False, progress: PageProgress | None = None) -> ReadResult:
    """The text of one document file, by its suffix (and its content where
    the two disagree). Scans are read by OCR only when ``ocr`` is set (the
    archive's background job); otherwise they are refused with a message."""
    suffix = suffix_of(name)
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    if not data:
        raise ReadError("文件为空")
    notes: list[str] = []
    if suffix == ".pdf" and _image_kind(data):
        notes.append(f"文件扩展名为 .pdf，内容实际是 {_image_kind(data)} 图片，已按图片识别文字")
        suffix = ".jpg"
    if suffix in TEXT_SUFFIXES:
        if len(data) > MAX_DOCUMENT_CHARS * 4:  # more characters than the limit, whatever the encoding
            raise ReadError(too_long_message(len(data) // 3))
        result = ReadResult(decode_text(data))
    elif suffix == ".docx":
        result = _read_docx(data)
    elif suffix in (".doc", ".wps"):
        result = _read_old_word(data, suffix)
    elif suffix in TABLE_SUFFIXES:
        result = _read_table(data, suffix)
    elif suffix == ".pdf":
        result = _read_pdf(data, ocr=ocr, progress=progress)
    elif suffix in IMAGE_SUFFIXES:
        result = _read_image(data, ocr=ocr, progress=progress)
    else:
        raise ReadError(unsupported_message(name))
    result.notes[:0] = notes
    if len(result.text) > MAX_DOCUMENT_CHARS:
        raise ReadError(too_long_message(len(result.text)))
    if not _HAS_TEXT.search(result.text):
        if result.pages:
            raise ReadError("文字识别（OCR）没有从扫描件中读出文字，请检查图片是否清晰、方向是否正确")
        raise ReadError("文件中没有可读取的文字")
    return result


# --- a folder, a zip or a file ---------------------------------------------


def _is_hidden(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any((p.startswith(".") and p != "..") or p == "__MACOSX" for p in parts) or parts[-1].lower() in _SYSTEM_NAMES


def refused_member(name: str) -> str:
    """Why a zip member's name must not be taken, or "" (a path that climbs
    out of the archive or starts at the root: ``../../evil.txt``)."""
    path = name.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "文件名是绝对路径（以 / 或盘符开头），可能试图写到压缩包以外，已拒绝"
    if ".." in PurePosixPath(path).parts:
        return "文件名含有上级目录（..），可能试图写到压缩包以外，已拒绝"
    if any(ord(ch) < 32 for ch in path):
        return "文件名含有控制字符，已拒绝"
    return ""


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


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, allowed: int) -> bytes | None:
    """A member's bytes, read in chunks and counted as they come (the sizes a
    zip declares may lie); None when it holds more than ``allowed`` bytes."""
    chunks, size = [], 0
    with archive.open(info) as handle:
        while chunk := handle.read(_READ_CHUNK):
            size += len(chunk)
            if size > allowed:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def iter_zip(data_or_path, label: str = "") -> Iterator[Source]:
    """The members of a zip one at a time: only one member's bytes are held at
    once, and no more than MAX_ZIP_TOTAL_BYTES are read from the whole zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path)
    except (zipfile.BadZipFile, OSError):
        raise ReadError(f"压缩包{f'“{label}”' if label else ''}已损坏或不是 zip 格式") from None
    total = 0
    members = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = zip_member_name(info)
            reason = refused_member(name)
            if reason:
                yield Source(name, refused=reason)
                continue
            if _is_hidden(name):
                continue
            if suffix_of(name) not in SUPPORTED_SUFFIXES:
                yield Source(name, skipped=unsupported_message(name))
                continue
            members += 1
            if members > MAX_ZIP_MEMBERS:
                yield Source(name, error=f"压缩包中的文档超过 {MAX_ZIP_MEMBERS} 个，此文件未读取，请分成几个压缩包导入")
                continue
            if info.flag_bits & 0x1:
                yield Source(name, error="压缩包中的文件已加密，无法读取")
                continue
            if info.file_size > MAX_FILE_BYTES:
                yield Source(name, error=f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）")
                continue
            if total + info.file_size > MAX_ZIP_TOTAL_BYTES:
                yield Source(name, error=f"压缩包解压后总量超过 {MAX_ZIP_TOTAL_BYTES // 1024 // 1024} MB 的上限，"
                                         "此文件未读取，请分成几个压缩包导入")
                continue
            try:
                data = _read_member(archive, info, min(MAX_FILE_BYTES, MAX_ZIP_TOTAL_BYTES - total))
            except Exception:  # a damaged member; the others may still be fine
                yield Source(name, error="压缩包中的这个文件已损坏，无法解压")
                continue
            if data is None:
                yield Source(name, error="文件解压后过大（与压缩包记录的大小不符），未读取")
                total += min(MAX_FILE_BYTES, MAX_ZIP_TOTAL_BYTES - total)  # what was read counts
                continue
            total += len(data)
            yield Source(name, data=data)
            del data


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
                return sum(1 for info in archive.infolist()
                           if not info.is_dir() and (refused_member(zip_member_name(info))
                                                     or not _is_hidden(zip_member_name(info))))
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
