"""Chinese resident ID numbers (GB 11643-1999).

Numbers arrive from hand-typed forms and spreadsheets, so parsing is tolerant
about presentation (blanks, full-width digits, lowercase x, 15-digit legacy
numbers) and strict about content (check digit, real birth date). Every
IdNumberError message is a Simplified Chinese sentence that can be shown to
the person who typed the number.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from guanai.textproc.numbers import format_date
from guanai.textproc.width import INVISIBLE, to_halfwidth

__all__ = [
    "IdNumber",
    "IdNumberError",
    "age_on",
    "check_char",
    "check_digit",
    "cross_check",
    "mask_id_number",
    "parse_clean_18",
    "parse_id_number",
    "weighted_sum",
]

# ISO 7064 MOD 11-2 as written out in GB 11643-1999.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# The standard's own published example (440524188001010014) was born in 1880,
# so 1880 rather than 1900 is the floor for a plausible birth year.
MIN_BIRTH_YEAR = 1880

# Province-level codes in use (GB/T 2260), plus 81/82/83 for Hong Kong, Macao
# and Taiwan residence permits. Numbers starting with 9 are the 2023-style
# foreign permanent residence IDs, which share the layout and check digit.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

# Characters that are pure noise around a number pasted from Excel, Word or a
# web page: blanks of all kinds, zero-width marks, a leading apostrophe (Excel's
# "store as text" prefix) and separators people type for readability.
_NOISE = re.compile(r"[\s" + INVISIBLE + r"'‘’\"“”\-_]+")
# Excel/CSV scientific notation such as 1.10105194912310E+17.
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$", re.IGNORECASE)


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; str(exc) is a message for users."""


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, final X in uppercase
    birth_date: date
    sex: str  # "男" or "女"
    region_code: str  # first 6 digits: county-level code where first issued

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)

    def __str__(self) -> str:
        return self.number


def check_digit(first17: str) -> str:
    """The 18th character for the given first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError(f"计算校验位需要17位数字，实为“{first17}”")
    return check_char(weighted_sum(first17))


def weighted_sum(digits: str, position: int = 0) -> int:
    """The part of the check sum of the digits standing at ``position`` (0-based) of the first
    17: the parts of a number add up to its sum, so numbers built of shared parts (a region, a
    birth date) can sum each part once."""
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS[position:]))


def check_char(total: int) -> str:
    """The check character (18th) of a number whose weighted sum is ``total``."""
    return _CHECK_CHARS[total % 11]


def parse_id_number(raw: object, *, today: date | None = None) -> IdNumber:
    """Validate and normalise an ID number from a form field or a cell.

    Accepts str, int and (15-digit) float; 15-digit legacy numbers are upgraded
    to 18 digits. Raises IdNumberError with a user-facing Chinese message.
    """
    text = _to_text(raw)
    if not text:
        raise IdNumberError("身份证号码为空")

    # Compare with ASCII digits explicitly: str.isdigit() also accepts "²".
    bad = [c for c in text[:-1] if c not in "0123456789"]
    if text[-1] not in "0123456789X":
        bad.append(text[-1])
    if bad:
        shown = "、".join(f"“{c}”" for c in dict.fromkeys(bad))
        raise IdNumberError(f"身份证号码只能由数字组成（最后一位可以是X），其中有{shown}")

    if len(text) == 15:
        if not text.isdigit():
            raise IdNumberError("15位的老身份证号码只能由数字组成")
        # GB 11643-1999 upgrade: century "19" goes before the 2-digit year.
        first17 = text[:6] + "19" + text[6:]
        text = first17 + check_digit(first17)
    elif len(text) != 18:
        raise IdNumberError(f"身份证号码应为18位，实为{len(text)}位")

    birth = _birth_date(text[6:14], today or date.today())

    expected = check_digit(text[:17])
    if text[17] != expected:
        raise IdNumberError(
            f"身份证号码校验位错误：应为{expected}，实为{text[17]}"
            "（号码中可能有数字填错）"
        )

    if text[0] != "9" and text[:2] not in _PROVINCES:
        raise IdNumberError(f"身份证号码前两位“{text[:2]}”不是有效的省级行政区划代码")

    return IdNumber(
        number=text,
        birth_date=birth,
        sex="男" if int(text[16]) % 2 else "女",
        region_code=text[:6],
    )


_CLEAN_18 = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: anything else takes parse_id_number
# The digits' ASCII codes are digit + 48: the weighted sum of the codes less this is the digits'.
_ASCII_OFFSET = 48 * sum(_WEIGHTS)


def parse_clean_18(raw: object, *, today: date) -> tuple[str, date] | None:
    """The fast path of ``parse_id_number`` for a clean 18-character number (ASCII digits, final
    digit or uppercase X, nothing around it): (number, birth date) exactly as ``parse_id_number``
    gives them, or None for anything else, valid or not, which the caller passes to
    ``parse_id_number`` (it folds full-width digits and says what is wrong). For importers
    that read hundreds of thousands of numbers."""
    if type(raw) is not str or len(raw) != 18 or not _CLEAN_18.fullmatch(raw):
        return None
    if raw[0] != "9" and raw[:2] not in _PROVINCES:
        return None
    total = sum(map(operator.mul, raw[:17].encode(), _WEIGHTS)) - _ASCII_OFFSET
    if _CHECK_CHARS[total % 11] != raw[17]:
        return None
    try:
        born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        return None
    if born > today or born.year < MIN_BIRTH_YEAR:
        return None
    return raw, born


def mask_id_number(number: str | IdNumber) -> str:
    """110105********002X: keep the first 6 and last 4, star the rest.

    Never raises, because masking is used when displaying or logging values
    that may not have been validated.
    """
    if type(number) is str and len(number) == 18 and _CLEAN_18.fullmatch(number):
        return number[:6] + "********" + number[14:]  # a stored number: nothing to clean
    text = _strip_noise(to_halfwidth(str(number))).upper()
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def cross_check(
    idn: IdNumber, *, birth_date: date | None = None, sex: str | None = None
) -> list[str]:
    """Messages for separately entered facts that contradict the ID number.

    Empty list when everything agrees or nothing was given to compare.
    """
    problems: list[str] = []
    if birth_date is not None:
        if isinstance(birth_date, datetime):
            birth_date = birth_date.date()
        if birth_date != idn.birth_date:
            problems.append(
                f"填写的出生日期{format_date(birth_date)}与身份证号码中的"
                f"{format_date(idn.birth_date)}不一致"
            )
    if sex is not None and str(sex).strip():
        given = normalise_sex(sex)
        if given is None:
            problems.append(f"无法识别填写的性别“{str(sex).strip()}”，应为男或女")
        elif given != idn.sex:
            problems.append(f"填写的性别“{given}”与身份证号码（{idn.sex}）不一致")
    return problems


def age_on(birth_date: date, day: date) -> int:
    """Age in full years on `day` (born 29 Feb: a year older on 1 Mar)."""
    if isinstance(birth_date, datetime):
        birth_date = birth_date.date()
    if isinstance(day, datetime):
        day = day.date()
    if day < birth_date:
        raise ValueError(f"日期{day.isoformat()}早于出生日期{birth_date.isoformat()}")
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def born_on_or_before(day: date, years: int) -> date:
    """The latest birth date of someone ``years`` old or older on ``day`` (as ``age_on`` counts:
    born 29 February, a year older on 1 March), for age bands as date ranges an index serves."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- helpers -----------------------------------------------------------------


def _to_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise IdNumberError("身份证号码不能是“是/否”值")
    if isinstance(raw, float | Decimal):
        # Excel keeps only 15 significant digits of a number, so an 18-digit
        # ID typed into a number-formatted cell has already lost its tail.
        if raw != raw or not float(raw).is_integer() or abs(raw) >= 10**15:
            raise _lost_digits()
        return str(int(raw))
    if isinstance(raw, int):
        return str(raw)
    text = _strip_noise(to_halfwidth(str(raw))).upper()
    # "×" is a common mistyping of the final X.
    if text.endswith("×"):
        text = text[:-1] + "X"
    if _SCIENTIFIC.match(text):
        raise _lost_digits()
    # "110105491231002.0": a 15-digit number that went through a float.
    if re.fullmatch(r"\d{15}\.0+", text):
        text = text.split(".")[0]
    return text


def _strip_noise(text: str) -> str:
    return _NOISE.sub("", text)


def _lost_digits() -> IdNumberError:
    return IdNumberError(
        "身份证号码在表格中被存成了数字，末尾几位已经丢失；"
        "请把这一列设置为“文本”格式后重新填写号码"
    )


def _birth_date(yyyymmdd: str, today: date) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise IdNumberError(f"身份证号码中的出生日期无效：{yyyymmdd}") from None
    if born > today:
        raise IdNumberError(f"身份证号码中的出生日期在未来：{yyyymmdd}")
    if born.year < MIN_BIRTH_YEAR:
        raise IdNumberError(f"身份证号码中的出生日期过早：{yyyymmdd}")
    return born


SEX_WORDS = {
    "男": "男", "男性": "男", "男士": "男", "M": "男", "MALE": "男",
    "女": "女", "女性": "女", "女士": "女", "F": "女", "FEMALE": "女",
}


def normalise_sex(value: str) -> str | None:
    """男 or 女 from the ways a form or a sheet writes it (男性, 女士, M, female ...), else None."""
    key = _strip_noise(to_halfwidth(str(value))).upper()
    return SEX_WORDS.get(key)


