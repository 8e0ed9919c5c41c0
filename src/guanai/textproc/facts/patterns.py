"""The regular expressions the passes share: figures, measure words, percentages, dates and
expressions relative to the document's date."""

from __future__ import annotations

import re


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
    # 5日，全县召开… / 21日上午 (month and year inferred). Not a duration
    # (3日内, 7日后), a count of days (每5日) or a tour (3日游).
    re.compile(r"(?<![\d.\-/月年第每隔连续满近时共计期])(?P<d>3[01]|[12]\d|0?[1-9])(?:日|号(?=[，,上下中晚凌早]))"
               r"(?![内前后游以之至])"),
)

# Expressions relative to when the document was written. A bare 今年 or 去年
# qualifies a figure (今年慰问…) rather than dating an event: not a fact.
_RELATIVE_RE = re.compile(r"今年以来|去年以来|本月|上月|近日|近期|日前")
_RECENT_DAYS = {"近日": 10, "日前": 10, "近期": 30}
