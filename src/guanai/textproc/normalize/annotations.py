"""Steps 3 and 4: pinyin annotations removed (a lost character's kept as a placeholder), then
traditional characters to simplified."""

from __future__ import annotations

import functools
import re

from .chars import (LOST_MARKS, _ANNOTATION_RE, _HAN, _LOST_CLOSE, _LOST_OPEN, _LOST_SEP, _PUNCT, _SYLLABLE_LETTERS,
                    _char_has_reading, _has_tone, _is_han, pinyin_key)


# --- step 3: annotations ---------------------------------------------------

# A lost character whose opening parenthesis went with it: ``?ài)``, ``？fā）``.
_MARKED_LOST_RE = re.compile(rf"[?？](?P<syl>[{_SYLLABLE_LETTERS}]{{1,6}}[0-5]?)\s*[)）]")
# A syllable and its closing parenthesis right after a character, the opening
# one lost: ``關guān)`` (that character's annotation) or ``關ài)`` (a lost one).
_BARE_RE = re.compile(rf"(?<=[{_HAN}])(?P<syl>[{_SYLLABLE_LETTERS}]{{1,6}}[0-5]?)[)）]")


def _placeholder(mark: str, key: str) -> str:
    return _LOST_OPEN + mark + _LOST_SEP + key + _LOST_CLOSE


def strip_pinyin_annotations(text: str) -> str:
    """Remove a one-syllable pinyin annotation right after a CJK character.

    Where the character before the annotation was lost (a lost mark such as
    ``□``/``?``/``�`` stands in its place, or nothing but punctuation, a line
    start or another annotation precedes it), the annotation becomes a
    placeholder that ``recover_lost_characters`` resolves later. So does
    ``?ài)``/``？ài)``, where the character and the opening parenthesis were
    lost together, and ``關ài)``, a syllable that is not the reading of the
    character before it. Parentheses holding anything else (``(一)``,
    ``(2019年)``) stay.
    """

    def replace(match: re.Match[str]) -> str:
        syllable = match.group("syl")
        key = pinyin_key(syllable)
        if key is None:
            return match.group(0)
        before = text[match.start() - 1] if match.start() else ""
        if _is_han(before):
            # A toneless syllable is only taken as an annotation when it is a
            # reading of that character, so that ``(a)`` list labels survive.
            if _has_tone(syllable) or _char_has_reading(before, key):
                return ""
            return match.group(0)
        if not _has_tone(syllable):
            return match.group(0)
        if before and before in LOST_MARKS:
            return _placeholder("", key)
        if before == "" or before.isspace() or before in _PUNCT:
            # No mark at all (line start, punctuation, another annotation's
            # closing parenthesis): the character vanished in the copy.
            return _placeholder("", key)
        return match.group(0)

    text = _ANNOTATION_RE.sub(replace, text)
    # The lost mark itself sits right before its placeholder: move it inside.
    text = re.sub(
        f"([{re.escape(LOST_MARKS)}]){_LOST_OPEN}{_LOST_SEP}",
        lambda m: _LOST_OPEN + m.group(1) + _LOST_SEP,
        text,
    )

    def marked(match: re.Match[str]) -> str:
        key = pinyin_key(match.group("syl"))
        return match.group(0) if key is None else _placeholder(match.group(0)[0], key)

    text = _MARKED_LOST_RE.sub(marked, text)

    def bare(match: re.Match[str]) -> str:
        syllable = match.group("syl")
        key = pinyin_key(syllable)
        if key is None or not _has_tone(syllable):
            return match.group(0)
        if _char_has_reading(match.string[match.start() - 1], key):
            return ""  # the annotation of the character before it
        return _placeholder("", key)

    return _BARE_RE.sub(bare, text)


# --- step 4: traditional to simplified -------------------------------------


@functools.lru_cache(maxsize=1)
def _t2s_converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with OpenCC's ``t2s`` configuration."""
    return _t2s_converter().convert(text)
