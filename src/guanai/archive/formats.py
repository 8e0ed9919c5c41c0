"""The reader of each format: .docx, text and scanned PDFs, photos (by OCR), old Word and
WPS files through LibreOffice, spreadsheets as text tables; lines unwrapped."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from . import ocr as ocr_module
from .reading import (CONVERT_SECONDS, MAX_DOCUMENT_CHARS, MAX_SCAN_PAGES, PageProgress, ReadError, ReadResult,
                      _HAS_TEXT, _OLE, _ZIP, _image_kind, too_long_message)


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


_SCAN_REFUSED = ("PDF 中没有可提取的文字，可能是扫描件（图片）。扫描件请在“档案检索 → 上传文档”中导入，"
                 "系统会进行文字识别（OCR）")


def _read_pdf(data: bytes, *, ocr: bool, progress: PageProgress | None) -> ReadResult:
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
    texts = [unwrap_lines(page) for page in pages]
    scanned = [i for i, text in enumerate(texts) if not _HAS_TEXT.search(text)]
    result = ReadResult("")
    if scanned and (ocr or len(scanned) == len(texts)):
        if not ocr:
            raise ReadError(_SCAN_REFUSED)
        if len(scanned) > MAX_SCAN_PAGES:
            raise ReadError(f"扫描件共有 {len(scanned)} 页需要文字识别，超过每个文件 {MAX_SCAN_PAGES} 页的上限，"
                            "请拆分成若干文件后再导入")
        with tempfile.TemporaryDirectory(prefix="guanai-scan-") as folder:
            path = Path(folder) / "scan.pdf"
            path.write_bytes(data)
            for done, index in enumerate(scanned, start=1):
                try:
                    page = ocr_module.read_image(ocr_module.render_pdf_page(path, index + 1), index + 1)
                except ocr_module.OcrError as exc:
                    raise ReadError(str(exc)) from None
                texts[index] = page.text
                result.pages.append(page)
                if progress:
                    progress(done, len(scanned))
    # PDF metadata titles are mostly converter debris ("Microsoft Word - 文档1"): not used.
    result.text = "\n\n".join(texts)
    return result


def _read_image(data: bytes, *, ocr: bool, progress: PageProgress | None) -> ReadResult:
    if not _image_kind(data):
        raise ReadError("图片文件已损坏或不是 JPG/PNG 图片")
    if not ocr:
        raise ReadError("图片需要文字识别（OCR），请在“档案检索 → 上传文档”中导入")
    try:
        page = ocr_module.read_image(ocr_module.prepare_image(data))
    except ocr_module.OcrError as exc:
        raise ReadError(str(exc)) from None
    if progress:
        progress(1, 1)
    return ReadResult(page.text, pages=[page])


# --- old Word and WPS files, through LibreOffice -----------------------------

_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
_WORD_IDENT = b"\xec\xa5"  # wIdent at the start of a Word 97-2003 file's FIB
_WORD_STREAM = "WordDocument".encode("utf-16-le")  # the directory entry every Word/WPS binary has


def _password_protected(data: bytes) -> bool:
    """An OLE file holding an encrypted Office document: a password-protected
    .docx saved under .doc, or a Word 97-2003 file whose FIB says fEncrypted."""
    if not data.startswith(_OLE):
        return False
    if _ENCRYPTED_OOXML in data:
        return True
    for offset in range(512, min(len(data), 512 * 64), 512):  # the FIB starts a sector
        if data[offset : offset + 2] == _WORD_IDENT and len(data) > offset + 0x0B:
            return bool(data[offset + 0x0B] & 0x01)
    return False


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ReadError("服务器缺少 LibreOffice（Debian 软件包 libreoffice-writer-nogui），无法读取 .doc/.wps 文件，"
                        "请联系系统管理员安装")
    return found


def convert_with_libreoffice(data: bytes, suffix: str, target: str = "docx") -> bytes:
    """Convert a file with LibreOffice in headless mode; its own user profile
    per process, so conversions of several workers never share one."""
    profile = Path(tempfile.gettempdir()) / f"guanai-libreoffice-{os.getuid()}-{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="guanai-convert-") as folder:
        source = Path(folder) / f"document{suffix}"
        source.write_bytes(data)
        try:
            subprocess.run(
                [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--nologo", "--nolockcheck", "--convert-to", target, "--outdir", folder, str(source)],
                capture_output=True, timeout=CONVERT_SECONDS, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise ReadError("文件转换超时：文件可能已损坏或设有打开密码") from None
        converted = source.with_suffix(f".{target}")
        if not converted.exists() or converted.stat().st_size == 0:
            raise ReadError(None)
        return converted.read_bytes()


# What a .doc or .wps really holds: a Word/WPS binary (OLE), RTF, or a web page
# saved as .doc (HTML, MHT). Anything else is damaged or not a document.
_WORD_STARTS = (_OLE, b"{\\rtf", b"<", b"\xef\xbb\xbf<", b"MIME-Version", b"\r\n<", b"\n<")


def _read_old_word(data: bytes, suffix: str) -> ReadResult:
    kind = "WPS" if suffix == ".wps" else "旧版 Word（.doc）"
    if data.startswith(_ZIP):  # a .docx under an old name
        return _read_docx(data)
    if not data.lstrip(b" \t").startswith(_WORD_STARTS) or (data.startswith(_OLE[:4]) and not data.startswith(_OLE)):
        raise ReadError(f"无法打开{kind}文件：文件已损坏或不是 Word/WPS 文档")
    if _password_protected(data):
        raise ReadError(f"{kind}文件设有打开密码，无法读取：请在 WPS 或 Word 中取消密码后再导入")
    if data.startswith(_OLE) and _WORD_STREAM not in data:
        raise ReadError(f"无法打开{kind}文件：文件已损坏或不是 Word/WPS 文档")
    try:
        converted = convert_with_libreoffice(data, suffix)
    except ReadError as exc:
        if exc.args and exc.args[0]:
            raise
        raise ReadError(f"无法打开{kind}文件：文件已损坏、设有打开密码或不是 Word/WPS 文档") from None
    result = _read_docx(converted)
    result.title_hint = ""  # what the conversion leaves there is debris ("Word Document")
    if not _HAS_TEXT.search(result.text):
        raise ReadError(f"无法打开{kind}文件：文件已损坏、设有打开密码或不是 Word/WPS 文档")
    return result


# --- spreadsheets as text tables -------------------------------------------


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def _read_table(data: bytes, suffix: str) -> ReadResult:
    """Every sheet as a text table: its name, then its rows, cells separated by tabs."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises several kinds for a damaged file
        kind = "WPS 表格（.et）" if suffix == ".et" else "Excel（.xls）"
        raise ReadError(f"无法打开{kind}文件：文件已损坏、设有密码或不是表格文件") from None
    lines: list[str] = []
    size = 0
    for index, sheet_name in enumerate(workbook.sheet_names):
        lines.extend(["", f"【{sheet_name}】"] if lines else [f"【{sheet_name}】"])
        for row in workbook.get_sheet_by_index(index).iter_rows():
            cells = [_cell_text(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            if not any(cells):
                continue
            line = "\t".join(cells)
            lines.append(line)
            size += len(line) + 1
            if size > MAX_DOCUMENT_CHARS:
                raise ReadError(too_long_message(size))
    return ReadResult("\n".join(lines))


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
