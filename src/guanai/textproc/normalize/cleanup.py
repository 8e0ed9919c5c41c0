"""Steps 6, 7, 1 and 8: stray backquotes, question marks and masking marks; ``□`` as a lost
separator; web debris and whitespace."""

from __future__ import annotations

import re

from guanai.textproc.width import DROP_INVISIBLE

from .chars import _HAN, _PUNCT
from .lost import DROPPED, LogEntry, _visible


# --- step 6: backquotes and masking ----------------------------------------

_CJK_CONTEXT = f"{_HAN}，。、；：！？“”‘’（）《》【】…—"
_BACKQUOTE_RE = re.compile(f"(?<=[{_CJK_CONTEXT}])`+|`+(?=[{_CJK_CONTEXT}])")


def remove_stray_backquotes(text: str) -> str:
    """``关`爱`` → ``关爱``: backquotes touching Chinese text are copy debris
    (Markdown code spans), never content, in these documents."""
    return _BACKQUOTE_RE.sub("", text)


# A question word in the clause makes a ``?`` a real question mark.
_QUESTION_WORDS = re.compile(r"吗|呢|么|什么|怎|如何|哪|谁|为何|是否|多少|几|难道|岂")
_STRAY_QUESTION_RE = re.compile(f"(?<=[{_HAN}])\\?(?=[{_HAN}，。、；：])")


def remove_stray_question_marks(text: str, log: list[LogEntry] | None = None) -> str:
    """``关爱?儿童`` → ``关爱儿童``: an ASCII ``?`` between two Chinese
    characters (or before a comma) is a character lost in an encoding, unless
    its clause asks a question (``怎么办?我们``). Each removal is logged as
    dropped."""

    def replace(match: re.Match[str]) -> str:
        clause = _clause_before(match.string[: match.start()], _SENTENCE_END + "\n")
        if _QUESTION_WORDS.search(clause):
            return "?"
        if log is not None:
            context = match.string[max(0, match.start() - 6) : match.start()] + match.string[match.end() : match.end() + 6]
            log.append(LogEntry(DROPPED, "", "", " ".join(_visible(context).split())))
        return ""

    return _STRAY_QUESTION_RE.sub(replace, text)


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

_WEB_DEBRIS = {**DROP_INVISIBLE, 0xA0: " "}


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
