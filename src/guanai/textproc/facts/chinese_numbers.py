"""Numbers written in Chinese or Arabic digits (一千二百, 1.2万, 3,400) as Python numbers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation


# --- numbers ---------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10**4, "亿": 10**8}
_ARABIC_RE = re.compile(r"\d+(?:\.\d+)?")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _as_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def parse_chinese_number(s: str) -> int | float | None:
    """Read a number written with Arabic digits, Chinese numerals or both.

    ``3.2万`` → 32000, ``一千二百`` → 1200, ``两万`` → 20000, ``1,298`` → 1298,
    ``二〇一九`` → 2019, ``一万二`` → 12000. Returns None when ``s`` is not a
    number.
    """
    s = s.strip()
    if not s:
        return None
    if _THOUSANDS_RE.fullmatch(s):
        s = s.replace(",", "")
    yi_part = wan_part = section = Decimal(0)
    num: Decimal | None = None
    last_unit = 0  # the unit just before a trailing digit, for 一万二 = 12000
    prev_was_digit = False
    i = 0
    while i < len(s):
        ch = s[i]
        match = _ARABIC_RE.match(s, i)
        if match:
            if num is not None:
                return None
            num = Decimal(match.group())
            i = match.end()
            prev_was_digit, last_unit = True, 0
            continue
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            # Consecutive digits without units read positionally: 二〇一九.
            num = num * 10 + digit if (num is not None and prev_was_digit) else Decimal(digit)
            prev_was_digit = True
            if ch in "零〇" and last_unit:
                last_unit = 0  # 一百零五: the 五 is units, not tens
        elif ch in _CN_SMALL_UNITS:
            section += (num if num is not None else 1) * _CN_SMALL_UNITS[ch]
            num, prev_was_digit, last_unit = None, False, _CN_SMALL_UNITS[ch]
        elif ch in _CN_BIG_UNITS:
            if section == 0 and num is None and yi_part == wan_part == 0:
                num = Decimal(1)  # a bare 万 is ten thousand
            if ch == "万":
                wan_part = (wan_part + section + (num or 0)) * 10**4
            else:
                yi_part = (yi_part + wan_part + section + (num or 0)) * 10**8
                wan_part = Decimal(0)
            section, num, prev_was_digit, last_unit = Decimal(0), None, False, _CN_BIG_UNITS[ch]
        else:
            return None
        i += 1
    if num is not None and last_unit >= 10 and num < 10:
        num *= last_unit // 10  # 一万二, 三百五: the digit scales the unit before
    try:
        return _as_number(yi_part + wan_part + section + (num or 0))
    except InvalidOperation:
        return None
