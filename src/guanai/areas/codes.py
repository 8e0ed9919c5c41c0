"""Statistical division codes (统计用区划代码): 12 digits, five nested levels.

Pure functions: province 2 digits, city 2, county 2, township 3, village 3.
An area's subtree is every code sharing its significant prefix.
"""

from __future__ import annotations

import functools
import re

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
LEVEL_NAMES = {PROVINCE: "省", CITY: "市", COUNTY: "县", TOWNSHIP: "乡镇", VILLAGE: "村/社区"}
# End offset of each level's digits within the code.
_LEVEL_ENDS = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
_CODE_RE = re.compile(r"^\d{12}$")


class AreaCodeError(ValueError):
    """A code that is not a well-formed 12-digit division code (message in Chinese)."""


@functools.lru_cache(maxsize=1 << 16)  # a province has about 25,000 areas; a full refresh asks a million times
def level_of(code: str) -> int:
    """The level of a code, refusing codes whose levels do not nest
    (e.g. a county part under an empty city part)."""
    if not _CODE_RE.match(code or ""):
        raise AreaCodeError(f"区划代码应为12位数字，实为“{code}”")
    level = 0
    start = 0
    seen_empty = False
    for lvl in (PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE):
        part = code[start:_LEVEL_ENDS[lvl]]
        start = _LEVEL_ENDS[lvl]
        if set(part) == {"0"}:
            seen_empty = True
            continue
        if seen_empty:
            raise AreaCodeError(f"区划代码“{code}”的层级不连续：上级部分为0而下级部分不为0")
        level = lvl
    if level == 0:
        raise AreaCodeError(f"区划代码“{code}”全为0")
    return level


def prefix_of(code: str) -> str:
    """The significant prefix: every code in the subtree starts with it."""
    return code[: _LEVEL_ENDS[level_of(code)]]


def child_prefix_length(code: str) -> int | None:
    """The length of the prefix that names a child area of ``code`` (its own digits and the next
    level's): 4 for a province, 12 for a township; None for a village, which has no children."""
    level = level_of(code)
    return None if level == VILLAGE else _LEVEL_ENDS[level + 1]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    end = _LEVEL_ENDS[level - 1]
    return code[:end] + "0" * (12 - end)


def subtree_bounds(code: str) -> tuple[str, str]:
    """Half-open range [low, high) of codes in the subtree of ``code``.

    A range on a plain index works on SQLite and PostgreSQL alike, where a LIKE
    'prefix%' would need a special index on each.
    """
    prefix = prefix_of(code)
    low = prefix.ljust(12, "0")
    high_prefix = str(int(prefix) + 1).zfill(len(prefix))
    high = high_prefix.ljust(12, "0") if len(high_prefix) == len(prefix) else "9" * 12 + "~"
    return low, high


def ancestors(code: str) -> list[str]:
    """``code`` and every area above it, nearest first."""
    chain = []
    current: str | None = code
    while current is not None:
        chain.append(current)
        current = parent_code(current)
    return chain


def is_within(code: str, ancestor: str) -> bool:
    return code.startswith(prefix_of(ancestor))


def lowest_common(a: str, b: str) -> str:
    """The lowest area containing both ``a`` and ``b`` (one of them when it contains the other)."""
    for code in ancestors(a):
        if is_within(b, code):
            return code
    raise AreaCodeError(f"区划代码“{a}”与“{b}”不属于同一省份")
