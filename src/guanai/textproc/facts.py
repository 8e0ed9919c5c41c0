"""Read the figures of normalised Chinese prose: dates, counts, money, percentages.

``extract_facts`` returns one ``Fact`` per figure, in text order, with the
exact span it was read from, so that a fact-checker can compare a figure in a
draft with the value it should have and point at it.

Figures are matched in passes: dates first, then percentages, then numbers
followed by a measure word (``元`` making money); a later pass never reads
inside the span of an earlier one, so the day of ``3月25日`` is not a count.
The subject of a count is the noun phrase next to it, taken with jieba.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Fact", "extract_facts", "parse_chinese_number"]


@dataclass(frozen=True)
class Fact:
    """One figure read from a text.

    kind: ``date``, ``quantity``, ``money`` or ``percent``.
    value: ``YYYY-MM-DD`` (``XXXX``/``XX`` where unknown) for a date; a number
        (int when whole) for the others, in yuan for money.
    unit: the measure word (``户``, ``人次``), ``元``, ``%`` or ``个百分点``;
        empty for a date.
    subject: what is counted (``建档立卡贫困户``), empty when not found.
    approx: the marker of an approximate figure (``多``, ``余``, ``近``, ``约``,
        ``上``, ``以上``, ``左右``; ``上旬``/``中旬``/``下旬``/``初``/``底`` for
        dates); empty when exact.
    span, start, end: the text the fact was read from and its offsets.
    """

    kind: str
    value: str | int | float
    unit: str
    subject: str
    approx: str
    span: str
    start: int
    end: int


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


# --- shared patterns -------------------------------------------------------

_CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万亿"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_NUM = r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
# Not part of a longer number, code, ordinal (第三) or vague count (数十, 几百).
_NOT_AFTER = rf"(?<![\d.,A-Za-z\-/_第数几{_CN_NUM_CHARS}])"

_APPROX_PREFIX = r"大约|将近|接近|超过|约|近|逾|超|上(?=[百千万])"
_APPROX_SUFFIX = r"以上|左右|以下"

# Measure words, longest first so that 人次 wins over 人.
MEASURE_WORDS = (
    "平方公里", "平方米", "人次", "户次", "场次", "公里",
    "人", "户", "名", "次", "只", "册", "本", "座", "亩", "所", "个", "家", "件",
    "套", "份", "场", "期", "间", "株", "袋", "桶", "床", "箱",
    "位", "项", "条", "辆", "台", "头", "处", "棵", "批", "对",
)
# A measure word followed by these is part of another word (3个月 is a duration).
_NOT_MEASURE_BEFORE = {
    "个": "月", "次": "日", "名": "单", "本": "地市县人", "家": "庭长属",
    "场": "所", "户": "籍口", "人": "民", "期": "间", "元": "旦宵",
    "对": "0123456789一二三四五六七八九十象应照接于",  # 1对1 is a way of helping; 3对象 no pair
}

_FIGURE_RE = re.compile(
    _NOT_AFTER
    + rf"(?P<pre>{_APPROX_PREFIX})?"
    + rf"(?P<num>{_ARABIC}|{_CN_NUM}|[百千万])"
    + r"(?P<mult1>万亿|千万|百万|亿|万|千|百)?"
    + r"(?P<more>多|余)?"
    + r"(?P<mult2>万亿|亿|万|千)?"
    + rf"(?P<unit>元|{'|'.join(MEASURE_WORDS)})"
    + rf"(?P<post>{_APPROX_SUFFIX})?"
)

_PERCENT_RE = re.compile(
    _NOT_AFTER
    + rf"(?P<pre>{_APPROX_PREFIX})?"
    + rf"(?:(?P<num>{_ARABIC})\s?(?P<sign>[%％])"
    + rf"|百分之(?P<cn>{_ARABIC}|[{_CN_NUM_CHARS}]+(?:点[零〇一二三四五六七八九]+)?)"
    + rf"|(?P<pts>{_ARABIC}|{_CN_NUM})个百分点)"
    + rf"(?P<post>{_APPROX_SUFFIX})?"
)

# Dates. A year is four digits (19xx/20xx), a placeholder (20xx, xxxx) or four
# Chinese digits (二〇一九).
_YEAR = r"(?:19|20)\d{2}|(?:19|20)[xX]{2}|[xX]{4}|[〇零一二三四五六七八九]{4}"
_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12]\d|0?[1-9]|三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九]"
_PERIOD = r"上旬|中旬|下旬|初|底|末"

_DATE_PATTERNS = (
    # 2019年3月25日, 2019年3月, 2019年, 20xx年9月28日
    re.compile(
        rf"(?<![\dA-Za-z.])(?P<y>{_YEAR})年(?!代)"
        rf"(?:(?P<m>{_MONTH})月(?:(?P<d>{_DAY})[日号])?(?P<period>{_PERIOD})?)?"
    ),
    # 2019-3-25, 2019.3.25, 2019/3/25
    re.compile(r"(?<![\d.\-/])(?P<y>(?:19|20)\d{2})(?P<sep>[-./])(?P<m>1[0-2]|0?[1-9])(?P=sep)"
               r"(?P<d>3[01]|[12]\d|0?[1-9])(?![\d.\-/])"),
    # 12月14日, 9月中旬, 8月底 (year inferred)
    re.compile(rf"(?<![\d.])(?P<m>1[0-2]|0?[1-9])月(?:(?P<d>3[01]|[12]\d|0?[1-9])[日号])?"
               rf"(?P<period>{_PERIOD})?(?!\d)"),
)


# --- jieba -----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # keep dictionary loading off stderr
    return jieba.posseg


# Parts of speech that make a noun phrase (jieba's tag set).
_NOUN_TAGS = {"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "nl", "ng", "vn", "an", "j", "l", "i"}
# Modifiers allowed inside a phrase but not at its edge (计生特殊家庭).
_INNER_TAGS = {"a", "b"}
# Care-work words jieba tags as verbs or adjectives but that name people here.
_DOMAIN_WORDS = {
    "建档立卡", "留守", "孤寡", "困难", "困境", "特困", "残疾", "贫困", "空巢", "高龄",
    "低保", "五保", "独居", "失能", "失独", "散居", "单亲", "收入", "劳务", "计生",
    "主任",  # jieba tags it b: 儿童主任186名
}
# Words jieba tags as nouns that are not what a figure counts.
_NOT_SUBJECT = {
    "整理", "计划", "选派", "动工", "全部", "处", "其中", "价值", "目前", "至今", "同比", "环比",
    "东", "南", "西", "北", "东南", "西南", "东北", "西北",
}
# Words between a subject and its figure (残疾户等共38户, 人均达到了5000元).
_FILLERS = {
    "共", "共计", "合计", "总计", "累计", "达", "达到", "计", "等", "了", "有", "为",
    "是", "各", "分别", "占", "增长", "增加", "提高", "下降", "减少",
}
_CLAUSE_STOPS = "，。、；：！？,;:!?\n“”‘’《》（）()[]【】"
_WINDOW = 16
_MAX_TOKENS = 4


def _is_nounish(word: str, flag: str) -> bool:
    if word in _NOT_SUBJECT or word[0] in "全各本每":
        return False
    return word in _DOMAIN_WORDS or flag in _NOUN_TAGS


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(t.word, t.flag) for t in _posseg().cut(text)] if text else []


def _subject_before(window: str) -> str:
    """The noun phrase ending right before a figure: 慰问留守儿童|23名."""
    tokens = _tokens(window)
    while tokens and tokens[-1][0] in _FILLERS:
        tokens.pop()
    phrase: list[tuple[str, str]] = []
    while tokens and len(phrase) < _MAX_TOKENS:
        word, flag = tokens[-1]
        if not (_is_nounish(word, flag) or (phrase and flag in _INNER_TAGS)):
            break
        phrase.insert(0, tokens.pop())
    while phrase and not _is_nounish(*phrase[0]):
        phrase.pop(0)
    return _join_phrase(phrase)


def _subject_after(window: str) -> str:
    """The noun phrase starting right after a figure: 82户|建档立卡贫困户."""
    tokens = _tokens(window)
    if tokens and tokens[0][0] == "的":
        tokens.pop(0)  # 2万元的教学物资
    phrase: list[tuple[str, str]] = []
    for word, flag in tokens[:_MAX_TOKENS]:
        if not (_is_nounish(word, flag) or (phrase and flag in _INNER_TAGS)):
            break
        phrase.append((word, flag))
    rest = tokens[len(phrase) :]
    if rest and rest[0][0][0].isdigit():
        return ""  # 80只以上|农户20户: the noun belongs to the next figure
    while phrase and not _is_nounish(*phrase[-1]):
        phrase.pop()
    return _join_phrase(phrase)


def _join_phrase(phrase: list[tuple[str, str]]) -> str:
    # A lone verbal noun names an action, not what is counted (已动工|132户),
    # while 项目投资 or 培训农民 does name it.
    if len(phrase) == 1 and phrase[0][1] == "vn":
        return ""
    return "".join(word for word, _ in phrase)


def _clause_before(text: str, start: int, floor: int) -> str:
    i = start
    while i > floor and start - i < _WINDOW and text[i - 1] not in _CLAUSE_STOPS:
        i -= 1
    return text[i:start]


def _clause_after(text: str, end: int) -> str:
    i = end
    while i < len(text) and i - end < _WINDOW and text[i] not in _CLAUSE_STOPS:
        i += 1
    return text[end:i]


# --- extraction passes -----------------------------------------------------


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)


def _date_facts(text: str, default_year: int | None) -> list[Fact]:
    raw: list[tuple[re.Match[str], int | None, bool]] = []  # match, year, year is known
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if _overlaps(taken, m.start(), m.end()):
                continue
            groups = m.groupdict()
            year_text = groups.get("y")
            month = parse_chinese_number(groups["m"]) if groups.get("m") else None
            day = parse_chinese_number(groups["d"]) if groups.get("d") else None
            if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
                continue
            year = None
            if year_text and not any(c in "xX" for c in year_text):
                year = int(year_text) if year_text.isdigit() else parse_chinese_number(year_text)
            raw.append((m, year, year_text is not None))
            taken.append((m.start(), m.end()))

    # A date without a year takes the document's year: the given one, or the
    # one written most often (none when two years tie).
    inferred = default_year
    if inferred is None:
        counts = Counter(year for _, year, _ in raw if year is not None).most_common(2)
        if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]):
            inferred = counts[0][0]

    facts = []
    for m, year, has_year in raw:
        groups = m.groupdict()
        if not has_year:
            year = inferred
        month = parse_chinese_number(groups["m"]) if groups.get("m") else None
        day = parse_chinese_number(groups["d"]) if groups.get("d") else None
        value = "-".join((
            f"{year:04d}" if year else "XXXX",
            f"{month:02d}" if month else "XX",
            f"{day:02d}" if day else "XX",
        ))
        facts.append(Fact("date", value, "", "", groups.get("period") or "", m.group(), m.start(), m.end()))
    return facts


def _approx_of(m: re.Match[str]) -> str:
    # 近千人: the prefix; 300多人: the suffix before the unit; 80只以上: after it.
    groups = m.groupdict()
    return groups.get("pre") or groups.get("more") or groups.get("post") or ""


def _percent_facts(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    facts = []
    for m in _PERCENT_RE.finditer(text):
        if _overlaps(taken, m.start(), m.end()):
            continue
        number_text = m.group("num") or m.group("cn") or m.group("pts")
        value = _parse_percent_number(number_text)
        if value is None:
            continue
        unit = "个百分点" if m.group("pts") else "%"
        subject = _subject_before(_clause_before(text, m.start(), 0))
        facts.append(Fact("percent", value, unit, subject, _approx_of(m), m.group(), m.start(), m.end()))
    return facts


def _parse_percent_number(s: str) -> int | float | None:
    if "点" in s:  # 百分之九十五点五
        whole, frac = s.split("点", 1)
        whole_value = parse_chinese_number(whole)
        digits = "".join(str(_CN_DIGITS[c]) for c in frac)
        return None if whole_value is None else _as_number(Decimal(f"{whole_value}.{digits}"))
    return parse_chinese_number(s)


_MULTIPLIERS = {"百": 100, "千": 1000, "万": 10**4, "百万": 10**6, "千万": 10**7, "亿": 10**8, "万亿": 10**12}


def _figure_value(m: re.Match[str]) -> int | float | None:
    num = m.group("num")
    if num.isdigit() and len(num) >= 11:
        return None  # a phone or ID number, not a count
    if num[0] in "百千万" and not m.group("pre"):
        return None  # 千名领导干部 is a slogan, 上千人 an estimate
    if num == "一" and not (m.group("mult1") or m.group("more") or m.group("mult2")):
        return None  # 一名志愿者, 一元网络: the article, not a figure
    value = parse_chinese_number(num)
    if value is None:
        return None
    scale = 1
    for group in ("mult1", "mult2"):
        if m.group(group):
            scale *= _MULTIPLIERS[m.group(group)]
    return _as_number(Decimal(str(value)) * scale)


def _figure_facts(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    facts: list[Fact] = []
    for m in _FIGURE_RE.finditer(text):
        if _overlaps(taken, m.start(), m.end()):
            continue
        if m.start() and text[m.start() - 1] in "“「《":
            continue  # a figure opening a quoted name: “三个一”, 《十三五》
        unit = m.group("unit")
        following = text[m.end("unit") : m.end("unit") + 1]
        if following and following in _NOT_MEASURE_BEFORE.get(unit, ""):
            continue
        value = _figure_value(m)
        if value is None:
            continue
        kind = "money" if unit == "元" else "quantity"
        previous = facts[-1] if facts else None
        floor = previous.end if previous else 0
        subject = (
            _subject_after(_clause_after(text, m.end()))
            or _subject_before(_clause_before(text, m.start(), floor))
        )
        if not subject and previous is not None and _same_list(text, previous, m.start()):
            subject = previous.subject  # 建档立卡贫困户82户、342人: both counts
        facts.append(Fact(kind, value, unit, subject, _approx_of(m), m.group(), m.start(), m.end()))
    return facts


def _same_list(text: str, previous: Fact, start: int) -> bool:
    """Whether a figure directly continues the figure before it: 82户、342人
    or 160户480间."""
    return text[previous.end : start] in ("", "、")


def extract_facts(text: str, *, default_year: int | None = None) -> list[Fact]:
    """All dates, counts, sums of money and percentages in ``text``, in order.

    ``default_year`` is the year of a date written without one (12月14日);
    without it the year written most often in the text is used, if any.
    """
    dates = _date_facts(text, default_year)
    taken = [(f.start, f.end) for f in dates]
    percents = _percent_facts(text, taken)
    taken += [(f.start, f.end) for f in percents]
    figures = _figure_facts(text, taken)
    return sorted(dates + percents + figures, key=lambda f: f.start)
