"""Pinyin search keys for personal names.

A worker searching for 张三 may type 张三, zhangsan or zs. We store two keys
per name (full pinyin and initials, both toneless lowercase ASCII) and match a
normalised query against them with a prefix or substring search.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from guanai.textproc.width import to_halfwidth

__all__ = ["PinyinKeyCache", "is_pinyin_query", "normalize_query", "pinyin_keys"]

# pypinyin picks the everyday reading of a character; as the first character
# of a name it is a surname, which for these characters reads differently.
# Compound surnames come first so that 尉迟 is not read as 尉 (wei) + 迟.
_COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "令狐": ("ling", "hu"),
    "澹台": ("tan", "tai"),
    "乐正": ("yue", "zheng"),
}
_SURNAMES: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "乐": "yue",
    "覃": "qin",
    # As a single surname 尉 reads wei; the yu reading belongs to 尉迟 above.
    "尉": "wei",
    "翟": "zhai",
    "盖": "ge",
    "缪": "miao",
    "繁": "po",
    "秘": "bi",
    "种": "chong",
    "召": "shao",
    "薄": "bo",
    "员": "yun",
    "隗": "wei",
    "长": "chang",
    "冼": "xian",
}

_ASCII_ALNUM = re.compile(r"[a-z0-9]+")


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) for a name: 张三 → ("zhangsan", "zs").

    ü is written v (吕 → lv), as pinyin keyboards do. ASCII letters and digits
    in the name are kept in lowercase; spaces, the middle dot of minority
    names (阿依古丽·买买提) and other punctuation are dropped.
    """
    text = to_halfwidth(name or "").strip().lower()
    surname, used = _surname_syllables(text)
    syllables = surname + _syllables(text[used:])
    return "".join(syllables), "".join(s[0] for s in syllables)


class PinyinKeyCache:
    """``pinyin_keys`` for many names (an import's), answering exactly as it does, but fast.

    pypinyin reads a name of Han characters by segmenting it into phrases of its
    dictionary; when no part of the name (after a surname with a special reading)
    is such a phrase, the reading is that of each character alone, which is cached
    here. Anything else goes to ``pinyin_keys`` itself. Remembers up to
    ``max_names`` distinct names.
    """

    def __init__(self, max_names: int = 50_000):
        self.max_names = max_names
        self.names: dict[str, tuple[str, str]] = {}
        self.chars: dict[str, str | None] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        keys = self.names.get(name)
        if keys is None:
            keys = self._fast(name) or pinyin_keys(name)
            if len(self.names) < self.max_names:
                self.names[name] = keys
        return keys

    def _fast(self, name: str) -> tuple[str, str] | None:
        if not 1 <= len(name) <= 6 or name[:2] in _COMPOUND_SURNAMES:
            return None
        head = _SURNAMES.get(name[0])
        rest = name[1:] if head else name
        n = len(rest)
        for i in range(n - 1):
            for j in range(i + 2, n + 1):
                if rest[i:j] in PHRASES_DICT:
                    return None
        syllables = [head] if head else []
        chars = self.chars
        for char in rest:
            syllable = chars.get(char, "")
            if syllable == "":
                syllable = chars[char] = self._char(char)
            if syllable is None:
                return None
            syllables.append(syllable)
        return "".join(syllables), "".join(s[0] for s in syllables)

    @staticmethod
    def _char(char: str) -> str | None:
        if not "\u4e00" <= char <= "\u9fff":
            return None
        syllables = _syllables(char)  # the reading of the character alone, not as a surname
        if len(syllables) != 1 or not (syllables[0].isascii() and syllables[0].isalpha()):
            return None
        return syllables[0]


def normalize_query(q: str) -> str:
    """Fold a typed search query: ' ＺＳ ' → 'zs', '张 三' → '张三'."""
    return re.sub(r"\s+", "", to_halfwidth(q or "")).lower()


def is_pinyin_query(q: str) -> bool:
    """True when the (normalised) query is only ASCII letters, so it should be
    matched against the pinyin keys rather than the name itself."""
    folded = normalize_query(q)
    return bool(folded) and folded.isascii() and folded.isalpha()


# --- helpers -----------------------------------------------------------------


def _surname_syllables(text: str) -> tuple[list[str], int]:
    """Surname syllables from the tables and how many characters they cover;
    ([], 0) when pypinyin's own reading is right."""
    if text[:2] in _COMPOUND_SURNAMES:
        return list(_COMPOUND_SURNAMES[text[:2]]), 2
    if text[:1] in _SURNAMES:
        return [_SURNAMES[text[:1]]], 1
    return [], 0


def _syllables(text: str) -> list[str]:
    """Pinyin syllables for Han characters, ASCII runs kept as one item."""
    out: list[str] = []
    # errors= receives each run pypinyin cannot read (ASCII, punctuation, rare
    # characters); keep it whole, then only its ASCII letters and digits.
    for item in lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: [chunk]):
        out.extend(_ASCII_ALNUM.findall(item))
    return out
