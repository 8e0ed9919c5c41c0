"""Step 5: lost characters recovered from their pinyin and their neighbours (jieba's words and
frequencies), each guess logged."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import asdict, dataclass

from .chars import _KEEP_BOX, _LOST_CLOSE, _LOST_OPEN, _LOST_SEP, _is_han, _reading_index


# --- step 5: lost characters -----------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """One guess made while normalising, for an archivist to check.

    action: ``restored`` (a lost character put back from its pinyin) or
        ``dropped`` (an annotation or a ``?`` that fits no word, removed).
    pinyin: the annotation's syllable with its tone mark (``ài``); empty for
        a bare ``?``.
    char: the character put back; empty when dropped.
    context: the clean text around the place, the restored character in it.
    """

    action: str
    pinyin: str
    char: str
    context: str

    def as_json(self) -> dict:
        return asdict(self)


RESTORED, DROPPED = "restored", "dropped"


@functools.lru_cache(maxsize=1)
def _word_freq() -> dict[str, int]:
    import jieba

    # jieba logs its dictionary loading at DEBUG on stderr; keep it quiet.
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    return jieba.dt.FREQ


_CONTEXT = 3  # neighbours considered on each side when guessing a character
_MAX_RUN = 3  # lost characters in a row guessed together
_MAX_COMBINATIONS = 20000


def _guess_run(keys: list[str], left: str, right: str) -> str | None:
    """The characters read ``keys`` (one lost character each, in a row) that
    form the best dictionary word with their neighbours: the longest word
    wins, then the most frequent. None when no word fits, or when two
    different guesses fit equally well (nothing singles one out)."""
    import itertools

    freq = _word_freq()
    index = _reading_index()[0]
    candidates = [index.get(key, ()) for key in keys]
    count = 1
    for chars in candidates:
        count *= len(chars)
    if not count or count > _MAX_COMBINATIONS:
        return None
    best: tuple[int, int] | None = None
    best_guess: str | None = None
    tied = False
    for combo in itertools.product(*candidates):
        middle = "".join(combo)
        score = None
        for i in range(len(left) + 1):
            for j in range(len(right) + 1):
                word = left[len(left) - i :] + middle + right[:j]
                if len(word) < 2:
                    continue
                found = freq.get(word, 0)
                if found > 0 and (score is None or (len(word), found) > score):
                    score = (len(word), found)
        if score is None:
            continue
        if best is None or score > best:
            best, best_guess, tied = score, middle, False
        elif score == best and middle != best_guess:
            tied = True
    return None if tied else best_guess


def _guess_character(key: str, left: str, right: str) -> str | None:
    return _guess_run([key], left, right)


_PLACEHOLDER_RE = re.compile(f"{_LOST_OPEN}([^{_LOST_SEP}]*){_LOST_SEP}([^{_LOST_CLOSE}]*){_LOST_CLOSE}")
_ANY_PLACEHOLDER_RE = re.compile(f"(?:{_PLACEHOLDER_RE.pattern})+")


def _tone_marked(key: str) -> str:
    from pypinyin.contrib.tone_convert import to_tone

    return to_tone(key.replace("v", "ü"))


def _visible(s: str) -> str:
    """Text with placeholders and shields removed, for a log's context."""
    return _PLACEHOLDER_RE.sub("", s).replace(_KEEP_BOX, "□")


def recover_lost_characters(text: str, log: list[LogEntry] | None = None) -> str:
    """Resolve the placeholders left by ``strip_pinyin_annotations``: put back
    the characters guessed from the pinyin and the neighbouring characters
    (lost characters in a row are guessed together, as one word), or, if
    nothing fits, drop the annotation (a ``□`` stays where it stood). Each
    guess and each drop is added to ``log``."""
    out: list[str] = []
    pos = 0
    for run in _ANY_PLACEHOLDER_RE.finditer(text):
        out.append(text[pos : run.start()])
        items = [(m.group(1), m.group(2)) for m in _PLACEHOLDER_RE.finditer(run.group())]
        done = "".join(out)
        rest = text[run.end() :]
        left = _han_tail(done, _CONTEXT)
        right = _han_head(rest, _CONTEXT)
        guesses: list[str | None]
        whole = _guess_run([k for _m, k in items], left, right) if len(items) <= _MAX_RUN else None
        if whole is not None:
            guesses = list(whole)
        else:
            # Each on its own, with only the real neighbours on its side.
            guesses = [
                _guess_character(key, left if i == 0 else "", right if i == len(items) - 1 else "")
                for i, (_mark, key) in enumerate(items)
            ]
        for i, ((mark, key), char) in enumerate(zip(items, guesses)):
            if char is not None:
                out.append(char)
            elif mark == "□":
                out.append(_KEEP_BOX)
            if log is not None:
                before = _visible("".join(out))[-6:]
                after = "".join(g or "" for g in guesses[i + 1 :]) + _visible(rest)[:6]
                log.append(LogEntry(RESTORED if char else DROPPED, _tone_marked(key), char or "",
                                    " ".join((before + after).split())))
        pos = run.end()
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
