"""The encodings of text that Chinese offices' software writes: THE rule for bytes a user gives
as text (a .txt document, a .csv register)."""

from __future__ import annotations

# UTF-8 (with or without the BOM Windows tools write), else GB18030 (GBK's superset, what
# Excel and WPS save a Chinese .csv or .txt in). UTF-8 first: GB18030 would also accept much
# UTF-8 text, read as other characters.
CHINESE_TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_chinese_text(data: bytes) -> str | None:
    """``data`` as text in the first of CHINESE_TEXT_ENCODINGS it is valid in; None when in none."""
    for encoding in CHINESE_TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
