"""One rule for the bytes of a text a user gives (archive .txt, register .csv): UTF-8 with or
without BOM, else GB18030; anything else is None (each caller refuses it in its own words)."""

import pytest

from guanai.textproc.encoding import decode_chinese_text

TEXT = "姓名,村（社区）代码\n张桂兰,990101001001\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT.encode("gbk"), TEXT.encode("gb18030"),
], ids=["utf-8", "utf-8 with BOM", "gbk", "gb18030"])
def test_the_encodings_offices_save_in_are_read(data):
    assert decode_chinese_text(data) == TEXT


def test_utf8_is_not_misread_as_gb18030():
    assert decode_chinese_text("留守儿童关爱".encode("utf-8")) == "留守儿童关爱"


def test_bytes_in_no_such_encoding_are_none():
    assert decode_chinese_text(b"\x81\x20\xff\xfe\x80") is None
