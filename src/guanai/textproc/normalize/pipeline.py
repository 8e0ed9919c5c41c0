"""The whole pipeline: the steps of ``normalize_document`` in their order, with the log."""

from __future__ import annotations

from guanai.textproc.width import alnum_to_halfwidth

from .chars import _KEEP_BOX
from .annotations import strip_pinyin_annotations, to_simplified
from .lost import LogEntry, recover_lost_characters
from .cleanup import (_WEB_DEBRIS, collapse_whitespace, fix_broken_separators, remove_masking_marks,
                      remove_stray_backquotes, remove_stray_question_marks)


# --- the whole pipeline ----------------------------------------------------


def normalize_with_log(text: str) -> tuple[str, list[LogEntry]]:
    """Clean one document copied from a web page (see the module docstring),
    and say what was guessed: each restored character, each dropped
    annotation or mark."""
    log: list[LogEntry] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_WEB_DEBRIS)
    text = alnum_to_halfwidth(text)
    text = remove_stray_backquotes(text)
    text = strip_pinyin_annotations(text)
    text = to_simplified(text)
    text = recover_lost_characters(text, log)
    text = remove_stray_question_marks(text, log)
    text = remove_masking_marks(text)
    text = fix_broken_separators(text)
    text = text.replace(_KEEP_BOX, "□")
    return collapse_whitespace(text), log


def normalize_document(text: str) -> str:
    """Clean one document copied from a web page (see the module docstring)."""
    return normalize_with_log(text)[0]
