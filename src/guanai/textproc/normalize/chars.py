"""Character classes, the placeholders that shield a lost character through OpenCC, and the
pinyin readings of characters (``pinyin_key``)."""

from __future__ import annotations

import functools
import re


# --- character classes -----------------------------------------------------

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
# Marks that stand where a character was lost in the copy.
LOST_MARKS = "□?？\ufffd"
# Chinese punctuation plus ASCII punctuation that ends or separates clauses.
_PUNCT = "，。、；：！？“”‘’（）《》〈〉【】—…·,.;:!?()[]\"'"

# Placeholders in the Unicode private use area survive OpenCC untouched.
_LOST_OPEN, _LOST_SEP, _LOST_CLOSE = "\ue000", "\ue001", "\ue002"
_KEEP_BOX = "\ue003"  # an unrecovered lost-character □, shielded from step 7

_TONE_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE_LETTERS = "a-zA-ZüÜ" + _TONE_LETTERS + _TONE_LETTERS.upper()
# One syllable in ASCII or full-width parentheses; the tone is a mark or a digit.
_ANNOTATION_RE = re.compile(
    rf"[(（]\s*(?P<syl>[{_SYLLABLE_LETTERS}]{{1,6}}[0-5]?)\s*[)）]"
)


def _is_han(ch: str) -> bool:
    return bool(ch) and bool(_HAN_RE.fullmatch(ch))


# --- pinyin helpers --------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _reading_index() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Map each tone-numbered reading (``ai4``) and each toneless reading
    (``ai``) to the characters that have it; also return the set of valid
    toneless syllables. Built once from pypinyin's character dictionary."""
    from pypinyin.contrib.tone_convert import to_normal, to_tone3
    from pypinyin.pinyin_dict import pinyin_dict

    index: dict[str, list[str]] = {}
    for codepoint, readings in pinyin_dict.items():
        if not 0x4E00 <= codepoint <= 0x9FFF:
            continue
        char = chr(codepoint)
        for reading in readings.split(","):
            tone3 = to_tone3(reading)
            for key in {tone3, to_normal(reading, v_to_u=False)}:
                index.setdefault(key, []).append(char)
    syllables = frozenset(key for key in index if not key[-1].isdigit())
    return {k: tuple(v) for k, v in index.items()}, syllables


def pinyin_key(syllable: str) -> str | None:
    """``guān`` / ``guan1`` / ``GUAN1`` → ``guan1``; ``lǜ`` / ``lü4`` → ``lv4``;
    a neutral tone (``de``, ``de5``, ``de0``) → ``de``. None when the text is
    not a valid pinyin syllable."""
    from pypinyin.contrib.tone_convert import to_tone3

    s = syllable.lower().replace("ü", "v")
    tone = ""
    if s[-1].isdigit():
        s, tone = s[:-1], s[-1]
        if tone in "05":
            tone = ""
    else:
        s = to_tone3(s)
        if s[-1].isdigit():
            s, tone = s[:-1], s[-1]
    if not s.isascii() or s not in _reading_index()[1]:
        return None
    return s + tone


def _has_tone(syllable: str) -> bool:
    return syllable[-1].isdigit() or any(c in _TONE_LETTERS for c in syllable.lower())


def _char_has_reading(char: str, key: str) -> bool:
    return char in _reading_index()[0].get(key, ())
