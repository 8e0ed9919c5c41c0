"""Clean text copied from web pages of old Chinese briefings.

``normalize_document`` runs the steps below in this order:

1. web debris: ``\\r\\n``, no-break spaces, zero-width characters;
2. full-width digits and letters to half-width (Chinese punctuation stays);
3. pinyin annotations after characters are removed (``關(guān)愛`` → ``關愛``);
   annotations whose character was lost (``關(guān)□(ài)``, ``關?ài)``, ``?fā)展``)
   are replaced by a placeholder;
4. traditional to simplified (OpenCC ``t2s``);
5. lost characters are recovered from their pinyin and their neighbours
   (jieba's dictionary words and frequencies); an annotation that fits no
   word is dropped;
6. stray backquotes, ``?`` standing inside a word, and masking marks
   (``\\*``, ``**``) are removed;
7. ``□`` used as a broken separator becomes ``。``/``，`` or is removed;
8. trailing whitespace and runs of blank lines are collapsed.

Annotations are removed before the t2s step so that OpenCC sees whole words,
and lost characters are recovered after it because jieba's dictionary is in
simplified characters.

``normalize_with_log`` also returns what was guessed: one ``LogEntry`` per
restored character and per dropped annotation or mark, so an archivist can
check each one.

Modules: ``chars`` (character classes, placeholders, pinyin readings), ``annotations`` (steps 3
and 4), ``lost`` (step 5 and ``LogEntry``), ``cleanup`` (steps 1, 6, 7 and 8), ``pipeline``.
"""

from .annotations import strip_pinyin_annotations, to_simplified
from .chars import pinyin_key
from .cleanup import (collapse_whitespace, fix_broken_separators, remove_masking_marks, remove_stray_backquotes,
                      remove_stray_question_marks)
from .lost import LogEntry, recover_lost_characters
from .pipeline import normalize_document, normalize_with_log

__all__ = [
    "LogEntry",
    "collapse_whitespace",
    "fix_broken_separators",
    "normalize_document",
    "normalize_with_log",
    "pinyin_key",
    "recover_lost_characters",
    "remove_masking_marks",
    "remove_stray_backquotes",
    "remove_stray_question_marks",
    "strip_pinyin_annotations",
    "to_simplified",
]
