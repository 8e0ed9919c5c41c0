"""Benchmark: the archive's search snippet on long documents, against one scan for hits.

    .venv/bin/python bench/archive_snippet.py [--sizes 66000,264000] [--repeats 5] [--src DIR]

For each size, a text of that many characters with a query word every few
sentences (the case that made the old snippet quadratic), then times:

  snippet   ``archive.search.snippet`` (what each hit of the results page shows);
  baseline  one ``finditer`` scan of the same text for the query's words.

The last line printed is one JSON object: per size the median milliseconds of
both, and ratio = snippet / baseline at the largest size (flat when the
snippet is linear). ``--src`` measures another checkout (the main branch's,
for a before figure).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="66000,264000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    import django

    django.setup()
    from guanai.archive import search

    terms = search.parse_query("留守儿童 慰问金")
    sentence = "今年走访慰问留守儿童家庭，发放慰问金。各村完成摸底排查工作。"
    figures = {}
    for size in (int(s) for s in args.sizes.split(",")):
        text = (sentence * (size // len(sentence) + 1))[:size]
        pattern = re.compile("留守儿童|慰问金")
        snippet_ms, baseline_ms = [], []
        for _ in range(args.repeats):
            began = time.perf_counter()
            search.snippet(text, terms)
            snippet_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            sum(1 for _ in pattern.finditer(text))
            baseline_ms.append((time.perf_counter() - began) * 1000)
        figures[size] = {"snippet_ms": round(statistics.median(snippet_ms), 2),
                         "baseline_ms": round(statistics.median(baseline_ms), 2)}
        print(f"{size} characters: snippet {figures[size]['snippet_ms']} ms, "
              f"scan {figures[size]['baseline_ms']} ms", file=sys.stderr)
    largest = figures[max(figures)]
    print(json.dumps({"sizes": figures, "ratio": round(largest["snippet_ms"] / largest["baseline_ms"], 2),
                      "src": str(args.src)}))


if __name__ == "__main__":
    main()
