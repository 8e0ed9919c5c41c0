"""Values of real-world spreadsheet cells, as the Excel importer reads them.

Cells filled in by hand in townships and villages arrive in every shape: dates
as Excel serial numbers or as text in half a dozen styles, phone numbers that
Excel turned into numbers (dropping a landline's leading 0), full-width digits
from Chinese input methods, non-breaking spaces pasted from web pages. These
helpers turn such cells into plain Python values, and raise CellValueError with
a Simplified Chinese message that can be shown next to the offending row.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from guanai.textproc.width import DROP_INVISIBLE, alnum_to_halfwidth, to_halfwidth

__all__ = [
    "CellValueError",
    "clean_phone",
    "clean_text",
    "match_header",
    "parse_cell_date",
    "parse_cell_number",
    "parse_yes_no",
    "split_list_items",
]


class CellValueError(ValueError):
    """A cell value that cannot be read; str(exc) is a message for users."""


_INVISIBLE = DROP_INVISIBLE


def _is_number(value: object) -> bool:
    # bool is an int subclass, but a TRUE/FALSE cell is not a number.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


# --- dates -------------------------------------------------------------------

# 1900 date system: serial 1 is 1900-01-01, and Excel (copying Lotus 1-2-3)
# counts a 29 February 1900 that never existed as serial 60. From serial 61 on,
# counting from 1899-12-30 absorbs that phantom day.
_EPOCH_1900_EARLY = date(1899, 12, 31)
_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)

_TIME = r"(?:\s*T?\s*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2}(?:\.\d+)?)?)?"
_DATE_SEPARATED = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?" + _TIME
)
_DATE_PLAIN = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})" + _TIME)


def parse_cell_date(value: object, *, datemode_1904: bool = False) -> date:
    """A date from a cell: date/datetime objects, Excel serial numbers, or
    text such as 2010-5-3, 2010/5/3, 2010.5.3, 2010年5月3日, 20100503 and
    2010-05-03 00:00:00 (full-width digits and blanks allowed).

    `datemode_1904` is the workbook's date system (old Mac Excel files).
    """
    if type(value) is str:
        m = _DATE_PLAIN.fullmatch(value)  # the common 2010-5-3, without the clean-up below
        if m:
            return _ymd(*m.groups(), shown=value)
    elif isinstance(value, datetime):
        return value.date()
    elif isinstance(value, date):
        return value
    elif _is_number(value):
        return _date_from_number(value, datemode_1904)
    text = _base_text(value)
    if not text:
        raise CellValueError("日期为空")
    for pattern in (_DATE_SEPARATED, _DATE_COMPACT):
        m = pattern.fullmatch(text)
        if m:
            return _ymd(*m.groups(), shown=text)
    raise CellValueError(f"无法识别的日期：{text}")


def _date_from_number(value: int | float | Decimal, datemode_1904: bool) -> date:
    shown = clean_text(value) or str(value)
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise CellValueError(f"无法识别的日期：{shown}")
    # 20100503 typed into a number cell means a date, not serial 20 million
    # (the largest valid serial, for 9999-12-31, is 2958465).
    if float(value).is_integer() and 10_000_000 <= value <= 99_999_999:
        return _ymd(*re.fullmatch(r"(\d{4})(\d{2})(\d{2})", shown).groups(), shown=shown)
    days = math.floor(value)  # the fraction is the time of day
    try:
        if datemode_1904:
            if days < 0:
                raise OverflowError
            return _EPOCH_1904 + timedelta(days=days)
        if days == 60:
            raise CellValueError("Excel中的日期1900年2月29日实际并不存在，请重新填写")
        if days < 1:
            raise OverflowError
        epoch = _EPOCH_1900_EARLY if days < 60 else _EPOCH_1900
        return epoch + timedelta(days=days)
    except OverflowError:
        raise CellValueError(f"无法识别的日期：{shown}") from None


def _ymd(year: str, month: str, day: str, *, shown: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellValueError(f"无法识别的日期：{shown}") from None


# --- text --------------------------------------------------------------------


def _base_text(value: object) -> str:
    """str(value) without invisible marks, NBSPs as spaces, full-width ASCII
    folded and outer blanks (including the ideographic space) stripped."""
    text = str(value).translate(_INVISIBLE).replace("\xa0", " ")
    return to_halfwidth(text).strip()


def clean_text(value: object) -> str:
    """A cell as display text: None → "", 3.0 → "3", blanks stripped, full-width
    digits and letters folded (Chinese punctuation kept)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows it
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            return ""
        if isinstance(value, Decimal):
            whole = value == value.to_integral_value()
        else:
            whole = value.is_integer()
        if whole:
            return str(int(value))
        return str(value)
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).translate(_INVISIBLE).replace("\xa0", " ")
    # str.strip() already treats U+3000 and U+00A0 as blanks.
    return alnum_to_halfwidth(text).strip()


# --- phone numbers -----------------------------------------------------------

# Blanks, dashes and brackets people use to group digits: 010-8765 4321, (010)...
_PHONE_NOISE = re.compile(r"[\s\-–—()\[\]]+")
_PHONE_SPLIT = re.compile(r"[/、,，;；|]|或")


def clean_phone(value: object) -> str:
    """Digits of one phone number; "" for a blank cell.

    Accepts mobile numbers (11 digits starting 13–19), landlines with an area
    code (010-87654321 → "01087654321", 11–12 digits) or without one (7–8
    digits), and
    400/800 service numbers. A landline that Excel stored as a number has lost
    its leading 0 (1087654321); that 0 is restored.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellValueError("无法识别的电话号码：不能是“是/否”值")
    if _is_number(value):
        shown = clean_text(value)
        if not re.fullmatch(r"\d+", shown):
            raise CellValueError(f"无法识别的电话号码：{shown}")
        return _check_phone(shown, shown)

    shown = _base_text(value)
    if not shown:
        return ""
    parts = [p for p in _PHONE_SPLIT.split(shown) if p.strip()]
    if len(parts) > 1:
        raise CellValueError(f"一个单元格只能填写一个电话号码：{shown}")
    digits = _PHONE_NOISE.sub("", shown)
    if re.fullmatch(r"\d+\.0+", digits):  # a number that went through str(float)
        digits = digits.split(".")[0]
    # Country code: +86 / 0086 / 86 before a mobile number.
    digits = re.sub(r"^(?:\+86|0086|86(?=1\d{10}$))", "", digits)
    strange = dict.fromkeys(c for c in digits if c not in "0123456789")
    if strange:
        shown_chars = "、".join(f"“{c}”" for c in strange)
        raise CellValueError(f"电话号码中有无法识别的字符{shown_chars}：{shown}")
    return _check_phone(digits, shown)


def _check_phone(digits: str, shown: str) -> str:
    digits = _restore_area_zero(digits)
    n = len(digits)
    if not 7 <= n <= 12:
        raise CellValueError(f"电话号码应为7到12位数字，实为{n}位：{shown}")
    if digits[0] == "1":
        if n != 11:
            raise CellValueError(f"手机号码应为11位，实为{n}位：{shown}")
        if digits[1] not in "3456789":
            raise CellValueError(f"手机号码应以13到19开头：{shown}")
    elif digits[0] == "0":
        # 010 and 02x are followed by 8 digits; 4-digit codes by 7 or 8.
        if n not in ((11,) if digits[1] in "12" else (11, 12)):
            raise CellValueError(f"带区号的固定电话位数不对（{n}位）：{shown}")
    elif not (n in (7, 8) or (n == 10 and digits[:3] in ("400", "800"))):
        raise CellValueError(
            f"无法识别的电话号码：{shown}（手机号码应为11位，固定电话应为7到8位或带上区号）"
        )
    return digits


def _restore_area_zero(digits: str) -> str:
    """Put back the 0 that Excel drops from an area code such as 010 or 0755.

    Area codes without their 0 are 10, 2x (then an 8-digit local number) or
    a 3-digit code from 3xx to 9xx (then 7–8 digits), so only those lengths and
    prefixes qualify; 400/800 service numbers are 10 digits and never have a 0.
    """
    n = len(digits)
    if n == 10 and digits[:3] in ("400", "800"):
        return digits
    if n == 10 and (digits.startswith("10") or digits.startswith("2")):
        return "0" + digits
    if n in (10, 11) and digits[0] in "3456789":
        return "0" + digits
    return digits


# --- yes / no ----------------------------------------------------------------

_YES = frozenset("是 有 对 y yes true 1 √ ✓ ✔ ☑".split())
_NO = frozenset("否 无 没有 不是 n no false 0 × x ✗ ✘ ☒".split())
# "/" and dashes are how Chinese forms mark "not applicable": treat as blank.
_BLANK = frozenset("/ - -- — ——".split())


def parse_yes_no(value: object) -> bool | None:
    """是/否, 有/无, Y/N, √/×, 1/0 → True/False; blank → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if _is_number(value):
        if value == 1:
            return True
        if value == 0:
            return False
        raise CellValueError(f"无法识别的“是/否”值：{clean_text(value)}")
    text = _base_text(value)
    key = re.sub(r"\s+", "", text).lower()
    if not key or key in _BLANK:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellValueError(f"无法识别的“是/否”值：{text}（请填写“是”或“否”）")


_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(\D|$))")


def parse_cell_number(value: object) -> Decimal | None:
    """A number typed or read from a cell: 12, "1,200", full-width "１２", " 12.50 " → Decimal;
    blank (or "/", "—") → None. Anything else (十二, 12次, 1.2.3) raises CellValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellValueError(f"无法识别的数值：{clean_text(value)}（请填写数字）")
    if _is_number(value):
        number = Decimal(str(value))
        if not number.is_finite():
            raise CellValueError("无法识别的数值（请填写数字）")
        return number
    text = re.sub(r"\s+", "", _base_text(value))
    if not text or text in _BLANK:
        return None
    plain = _THOUSANDS.sub("", text)
    if not _NUMBER_RE.fullmatch(plain):
        raise CellValueError(f"无法识别的数值：{text}（请填写数字，不要带单位或文字）")
    return Decimal(plain)


# Item numbers a list in one cell carries: 1. 1、 1） （1） (1) ① 一、
_ITEM_NUMBER = re.compile(r"^\s*(?:[(（]\s*[0-9一二三四五六七八九十]+\s*[)）]|[0-9]+\s*[.．、)）]|"
                          r"[一二三四五六七八九十]+\s*[、.．]|[\u2460-\u2473])\s*")


def split_list_items(value: object) -> list[str]:
    """The items of a list written in one cell or text box: one a line, or separated by ；,
    with their numbers (1. （1） ① 一、) taken off; blank items dropped."""
    text = "" if value is None else str(value).translate(_INVISIBLE).replace("\xa0", " ")
    items = []
    for line in re.split(r"[\r\n]+|[；;]", text):
        item = _ITEM_NUMBER.sub("", line, count=1).strip().rstrip("。").strip()
        if item:
            items.append(item)
    return items


# --- headers -----------------------------------------------------------------

# Notes in brackets after a header: 姓名（必填）, 出生日期(格式:2010-01-01), 【选填】.
_HEADER_NOTE = re.compile(r"[(\[【〔<《][^()\[\]【】〔〕<>《》]*[)\]】〕>》]")
_HEADER_NOISE = re.compile(r"[\s*※:：]+")


def _normalise_header(text: str) -> str:
    return _HEADER_NOISE.sub("", _base_text(text)).lower()


def match_header(header: object, synonyms: dict[str, list[str]]) -> str | None:
    """The field name whose synonyms include this header cell, or None.

    Blanks, line breaks, "*" marks and colons are ignored. The header is
    tried first as written and then without bracketed notes such as
    （必填）, so that a synonym may itself contain brackets.
    Each field name also counts as its own synonym.
    """
    if header is None:
        return None
    lookup: dict[str, str] = {}
    for field, names in synonyms.items():
        for name in (*names, field):
            lookup.setdefault(_normalise_header(name), field)
    lookup.pop("", None)

    full = _normalise_header(header)
    if full in lookup:
        return lookup[full]
    bare = _normalise_header(_HEADER_NOTE.sub("", to_halfwidth(str(header))))
    return lookup.get(bare)
