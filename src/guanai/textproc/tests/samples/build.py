"""Build the broken web copy of a sample briefing from its clean text, by the
normaliser's own steps in reverse, so the tests know the right answer by
construction.

``briefing.clean.txt`` is the briefing as written (simplified Chinese). Its
web copy ``briefing.web.txt`` is made the way such copies are broken:

1. simplified → traditional with OpenCC (``s2t``);
2. full-width digits in a few figures;
3. a pinyin annotation after every character, read by pypinyin in context
   (``關(guān)愛(ài)``);
4. characters lost at the places listed in ``LOST``, in the forms seen in
   real copies (``?ài)``, ``？(ài)``, ``□(ài)``, ``(ài)`` after punctuation);
5. stray backquotes and ``?`` at the places in ``STRAY``.

``briefing.expected.json`` holds what normalising the web copy must give: the
clean text (less the characters listed as unrecoverable) and the
normalisation log (one entry per lost character and per stray ``?``).
``briefing.facts.json`` lists, by hand, figures written into the clean text.

Run ``python -m guanai.textproc.tests.samples.build`` after changing the clean
text or the lists; ``test_samples.py`` checks the files are up to date.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLEAN = HERE / "briefing.clean.txt"
WEB = HERE / "briefing.web.txt"
EXPECTED = HERE / "briefing.expected.json"
FACTS = HERE / "briefing.facts.json"

# (text around the place, offset of the lost character in it, form, restored?)
# Forms: "?" = ``?ài)`` (character and opening parenthesis lost), "？" =
# ``？(ài)``, "□" = ``□(ài)``, "" = nothing left but the annotation.
LOST = [
    ("今年以来，北岭县", 0, "?", True),  # the start of a paragraph
    ("有人关爱、", 3, "？", True),  # right before punctuation
    ("，扎实开展农村", 1, "?", True),  # two in a row ...
    ("，扎实开展农村", 2, "?", True),  # ... guessed together as one word
    ("需要重点关注", 2, "□", True),  # a polyphonic character (zhòng / chóng)
    ("，分布在", 1, "", True),  # nothing but the annotation, after a comma
    ("书包600个。", 5, "?", False),  # no Chinese neighbour: fits no word, dropped
]
# (text around the place, offset where the debris goes in, debris)
STRAY = [
    ("监护能力较弱", 2, "?"),
    ("摸底排查全面", 2, "`"),
    ("新增结对206对", 2, "`"),
]
FULL_WIDTH = ["1862", "317"]

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _find(text: str, anchor: str, offset: int) -> int:
    index = text.find(anchor)
    if index < 0 or text.find(anchor, index + 1) >= 0:
        raise ValueError(f"anchor {anchor!r} must occur exactly once in the clean text")
    return index + offset


def build() -> tuple[str, dict]:
    import opencc
    from pypinyin import Style, pinyin

    clean = CLEAN.read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(clean)
    if opencc.OpenCC("t2s").convert(traditional) != clean:
        raise ValueError("the clean text does not come back from traditional unchanged")
    if len(traditional) != len(clean):
        raise ValueError("s2t changed the text's length: positions would not line up")

    lost = {_find(clean, anchor, offset): (form, restored) for anchor, offset, form, restored in LOST}
    stray = {_find(clean, anchor, offset): debris for anchor, offset, debris in STRAY}
    full_width = {}
    for figure in FULL_WIDTH:
        start = _find(clean, figure, 0)
        for i, ch in enumerate(figure):
            full_width[start + i] = chr(ord(ch) + 0xFEE0)

    # Readings in context, one per Han character.
    readings = iter(r[0] for r in pinyin(traditional, style=Style.TONE, errors=lambda chunk: []))
    out: list[str] = []
    expected: list[str] = []
    log: list[dict] = []
    for i, ch in enumerate(traditional):
        if i in stray:
            out.append(stray[i])
            if stray[i] == "?":
                log.append({"action": "dropped", "pinyin": "", "char": ""})
        if not _HAN.match(ch):
            out.append(full_width.get(i, ch))
            expected.append(clean[i])
            continue
        reading = next(readings)
        if i in lost:
            form, restored = lost[i]
            out.append(f"?{reading})" if form == "?" else f"{form}({reading})")
            log.append({"action": "restored" if restored else "dropped", "pinyin": reading,
                        "char": clean[i] if restored else ""})
            if restored:
                expected.append(clean[i])
        else:
            out.append(f"{ch}({reading})")
            expected.append(clean[i])
    return "".join(out), {"text": "".join(expected).strip(), "log": log}


def main() -> None:
    web, expected = build()
    WEB.write_text(web, encoding="utf-8")
    EXPECTED.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {WEB.name} and {EXPECTED.name}")


if __name__ == "__main__":
    main()
