"""The text of a document to fact-check: a .docx (paragraphs and tables) or a .txt."""

from __future__ import annotations

import codecs
import io


class ReadError(ValueError):
    """A file that cannot be read; the message is for the user."""


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("无法识别文本文件的编码，请另存为 UTF-8 或 GBK 编码后重试")


def docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises several kinds for a file that is not a .docx
        raise ReadError("无法打开 Word 文件：文件已损坏或不是 .docx 格式（旧版 .doc 请先另存为 .docx）") from None
    lines = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def read_upload(name: str, data: bytes) -> str:
    lowered = name.lower()
    if not data:
        raise ReadError("文件为空")
    if lowered.endswith(".docx"):
        text = docx_text(data)
    elif lowered.endswith(".txt"):
        if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ReadError("这不是文本文件（含有二进制内容），请检查文件类型")
        text = decode_text(data)
    elif lowered.endswith(".doc"):
        raise ReadError("暂不支持旧版 Word（.doc）文件，请另存为 .docx 后再上传")
    else:
        raise ReadError("只支持 .docx 和 .txt 文件")
    if not text.strip():
        raise ReadError("文件中没有可读取的文字")
    return text
