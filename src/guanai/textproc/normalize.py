"""Clean text copied from web pages of old Chinese briefings.

``normalize_document`` runs the steps below in this order:

1. web debris: ``\\r\\n``, no-break spaces, zero-width characters;
2. full-width digits and letters to half-width (Chinese punctuation stays);
3. pinyin annotations after characters are removed (``關(guān)愛`` → ``關愛``);
   annotations whose character was lost are replaced by a placeholder;
4. traditional to simplified (OpenCC ``t2s``);
5. lost characters are recovered from their pinyin and their neighbours;
6. stray backquotes and masking marks (``\\*``, ``**``) are removed;
7. ``□`` used as a broken separator becomes ``。``/``，`` or is removed;
8. trailing whitespace and runs of blank lines are collapsed.

Annotations are removed before the t2s step so that OpenCC sees whole words,
and lost characters are recovered after it because jieba's dictionary is in
simplified characters.
"""

from __future__ import annotations

import functools
import logging
import re

from guanai.textproc.width import alnum_to_halfwidth

__all__ = [
    "collapse_whitespace",
    "fix_broken_separators",
    "normalize_document",
    "pinyin_key",
    "recover_lost_characters",
    "remove_masking_marks",
    "remove_stray_backquotes",
    "strip_pinyin_annotations",
    "to_simplified",
]

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


# --- step 3: annotations ---------------------------------------------------


def strip_pinyin_annotations(text: str) -> str:
    """Remove a one-syllable pinyin annotation right after a CJK character.

    Where the character before the annotation was lost (a lost mark such as
    ``□``/``?``/``�`` stands in its place, or nothing but punctuation, a line
    start or another annotation precedes it), the annotation becomes a
    placeholder that ``recover_lost_characters`` resolves later.
    Parentheses holding anything else (``(一)``, ``(2019年)``) stay.
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
            return _LOST_OPEN + _LOST_SEP + key + _LOST_CLOSE
        if before == "" or before.isspace() or before in _PUNCT:
            # No mark at all (line start, punctuation, another annotation's
            # closing parenthesis): the character vanished in the copy.
            return _LOST_OPEN + _LOST_SEP + key + _LOST_CLOSE
        return match.group(0)

    text = _ANNOTATION_RE.sub(replace, text)
    # The lost mark itself sits right before its placeholder: move it inside.
    return re.sub(
        f"([{re.escape(LOST_MARKS)}]){_LOST_OPEN}{_LOST_SEP}",
        lambda m: _LOST_OPEN + m.group(1) + _LOST_SEP,
        text,
    )


# --- step 4: traditional to simplified -------------------------------------


@functools.lru_cache(maxsize=1)
def _t2s_converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with OpenCC's ``t2s`` configuration."""
    return _t2s_converter().convert(text)


# --- step 5: lost characters -----------------------------------------------


@functools.lru_cache(maxsize=1)
def _word_freq() -> dict[str, int]:
    import jieba

    # jieba logs its dictionary loading at DEBUG on stderr; keep it quiet.
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    return jieba.dt.FREQ


_CONTEXT = 3  # neighbours considered on each side when guessing a character


def _guess_character(key: str, left: str, right: str) -> str | None:
    """The character read ``key`` that forms the best dictionary word with
    its neighbours: the longest word wins, then the most frequent."""
    freq = _word_freq()
    best: tuple[int, int] | None = None
    best_char = None
    for char in _reading_index()[0].get(key, ()):
        for i in range(len(left) + 1):
            for j in range(len(right) + 1):
                if i + j == 0:
                    continue
                word = left[len(left) - i :] + char + right[:j]
                count = freq.get(word, 0)
                if count > 0 and (best is None or (len(word), count) > best):
                    best, best_char = (len(word), count), char
    return best_char


_PLACEHOLDER_RE = re.compile(f"{_LOST_OPEN}([^{_LOST_SEP}]*){_LOST_SEP}([^{_LOST_CLOSE}]*){_LOST_CLOSE}")


def recover_lost_characters(text: str) -> str:
    """Resolve the placeholders left by ``strip_pinyin_annotations``: put back
    the character guessed from the pinyin and the neighbouring characters, or,
    if nothing fits, leave the text as it was without the annotation."""
    out: list[str] = []
    pos = 0
    for match in _PLACEHOLDER_RE.finditer(text):
        out.append(text[pos : match.start()])
        mark, key = match.group(1), match.group(2)
        done = "".join(out)
        left = _han_tail(done, _CONTEXT)
        right = _han_head(text[match.end() :], _CONTEXT)
        char = _guess_character(key, left, right) if (left or right) else None
        if char is not None:
            out.append(char)
        elif mark == "□":
            out.append(_KEEP_BOX)
        else:
            out.append(mark)
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def _han_tail(s: str, n: int) -> str:
    i = len(s)
    while i > 0 and len(s) - i < n and _is_han(s[i - 1]):
        i -= 1
    return s[i:]


def _han_head(s: str, n: int) -> str:
    i = 0
    while i < len(s) and i < n and _is_han(s[i]):
        i += 1
    return s[:i]


# --- step 6: backquotes and masking ----------------------------------------

_CJK_CONTEXT = f"{_HAN}，。、；：！？“”‘’（）《》【】…—"
_BACKQUOTE_RE = re.compile(f"(?<=[{_CJK_CONTEXT}])`+|`+(?=[{_CJK_CONTEXT}])")


def remove_stray_backquotes(text: str) -> str:
    """``关`爱`` → ``关爱``: backquotes touching Chinese text are copy debris
    (Markdown code spans), never content, in these documents."""
    return _BACKQUOTE_RE.sub("", text)


_MASK_RE = re.compile(
    r"\\\*"  # an escaped asterisk left by a Markdown converter
    r"|\*{2,}|＊+"  # runs of asterisks hiding a name or word
    rf"|(?<=[{_HAN}])\*(?=[{_HAN}])"  # a single asterisk inside a word
    r"|□{2,}"  # a run of boxes hiding a name
)


def remove_masking_marks(text: str) -> str:
    """Drop masking marks: ``谈艾\\*变`` → ``谈艾变``, ``张**`` → ``张``."""
    return _MASK_RE.sub("", text)


# --- step 7: □ as a lost separator -----------------------------------------

_SENTENCE_END = "。！？；!?;"
_CLAUSE_END = _SENTENCE_END + "，、：,:"
_MIN_CLAUSE = 4  # a shorter side means the □ more likely stood for a character
_LONG_SENTENCE = 20
_FIGURE_END_RE = re.compile(r"\d[\u4e00-\u9fff]{0,2}$")


def fix_broken_separators(text: str) -> str:
    """Replace a single ``□`` standing where a punctuation mark was lost.

    Between two clauses of at least four characters it becomes ``。`` when the
    left part looks finished (it ends with a figure such as ``5座`` or is a long
    sentence already) and ``，`` otherwise; next to punctuation, whitespace or
    a line end, or between short fragments, it is removed.
    """
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch != "□":
            out.append(ch)
            continue
        before = text[i - 1] if i else "\n"
        after = text[i + 1] if i + 1 < len(text) else "\n"
        if before.isspace() or after.isspace() or before in _PUNCT or after in _PUNCT:
            continue
        done = "".join(out)
        left_clause = _clause_before(done, _CLAUSE_END)
        right_clause = _clause_after(text[i + 1 :], _CLAUSE_END)
        if len(left_clause) < _MIN_CLAUSE or len(right_clause) < _MIN_CLAUSE:
            continue
        left_sentence = _clause_before(done, _SENTENCE_END)
        finished = bool(_FIGURE_END_RE.search(left_clause)) or len(left_sentence) >= _LONG_SENTENCE
        out.append("。" if finished else "，")
    return "".join(out)


def _clause_before(s: str, stops: str) -> str:
    i = len(s)
    while i > 0 and s[i - 1] not in stops and s[i - 1] != "\n":
        i -= 1
    return s[i:]


def _clause_after(s: str, stops: str) -> str:
    i = 0
    while i < len(s) and s[i] not in stops and s[i] not in "\n□":
        i += 1
    return s[:i]


# --- steps 1 and 8: whitespace ---------------------------------------------

_WEB_DEBRIS = str.maketrans({"\u00a0": " ", "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None})


def collapse_whitespace(text: str) -> str:
    """Strip trailing whitespace, collapse runs of blank lines into one blank
    line (a paragraph break) and drop blank lines at both ends."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# --- the whole pipeline ----------------------------------------------------


def normalize_document(text: str) -> str:
    """Clean one document copied from a web page (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_WEB_DEBRIS)
    text = alnum_to_halfwidth(text)
    text = remove_stray_backquotes(text)
    text = strip_pinyin_annotations(text)
    text = to_simplified(text)
    text = recover_lost_characters(text)
    text = remove_masking_marks(text)
    text = fix_broken_separators(text)
    text = text.replace(_KEEP_BOX, "□")
    return collapse_whitespace(text)
