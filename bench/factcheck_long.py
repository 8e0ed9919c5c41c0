"""Fact-check of a long text: the page's size, the process's peak memory and the time.

    .venv/bin/python bench/factcheck_long.py [--chars 200000] [--runs 3] [--memory-mb 3000]

Posts a text of ``--chars`` characters with no sentence end (a clause with two figures,
repeated) to /briefings/factcheck/ as the demo's office user, in a fresh process each time
(in-process through Django's test client, on the cached small demo), and follows it to the
page that shows the result (a long check runs as a job: the immediate task backend runs it
here). Each process runs under an address-space limit of ``--memory-mb``: a check that needs
more fails with MemoryError instead of taking the machine down.

Baseline, measured in the same run: reading the same text's figures with
textproc.facts.extract_facts in pieces of 2,000 characters (the work no check can avoid).
Last line: JSON with the medians and ``ratio`` = check time / baseline time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CLAUSE = "城关镇走访慰问留守儿童12次，发放慰问金3000元，"


def _text(chars: int) -> str:
    return (CLAUSE * (chars // len(CLAUSE) + 1))[:chars]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_check(chars: int) -> dict:
    os.environ["GUANAI_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    from demo_db import open_demo

    open_demo("small")
    from django.test import Client

    from guanai.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="office"))
    text = _text(chars)
    before = _peak_mb()
    started = time.perf_counter()
    response = client.post("/briefings/factcheck/", {"text": text, "area": "990100000000", "period": "2026"},
                           follow=True)
    html = response.content
    # A background check lands on its job page, which links to the result.
    link = re.search(rb'href="(/briefings/factcheck/\d+/)"', html)
    if link:
        html = client.get(link.group(1).decode()).content
    seconds = time.perf_counter() - started
    return {"status": response.status_code, "html_bytes": len(html), "rows": html.count(b"data-status="),
            "seconds": round(seconds, 3), "peak_mb": round(_peak_mb(), 1), "start_mb": round(before, 1)}


def child_baseline(chars: int) -> dict:
    from guanai.textproc.facts import extract_facts

    text = _text(chars)
    started = time.perf_counter()
    found = 0
    for start in range(0, len(text), 2000):
        found += len(extract_facts(text[start:start + 2000]))
    return {"seconds": round(time.perf_counter() - started, 3), "facts": found}


def run_child(mode: str, chars: int, memory_mb: int, timeout: int) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--chars", str(chars), "--memory-mb", str(memory_mb)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": tail[:200]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-mb", type=int, default=3000)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--child", choices=["check", "baseline"])
    args = parser.parse_args()
    if args.child:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        result = child_check(args.chars) if args.child == "check" else child_baseline(args.chars)
        print(json.dumps(result))
        return

    checks = [run_child("check", args.chars, args.memory_mb, args.timeout) for _ in range(args.runs)]
    baselines = [run_child("baseline", args.chars, args.memory_mb, args.timeout) for _ in range(args.runs)]
    for row in checks:
        print(f"check    {row}", file=sys.stderr)
    for row in baselines:
        print(f"baseline {row}", file=sys.stderr)
    ok = [row for row in checks if "error" not in row]
    result = {"chars": args.chars, "memory_limit_mb": args.memory_mb,
              "failed": len(checks) - len(ok), "errors": sorted({row["error"] for row in checks if "error" in row})}
    if ok:
        for key in ("html_bytes", "rows", "seconds", "peak_mb"):
            result[key] = statistics.median(row[key] for row in ok)
    base = statistics.median(row["seconds"] for row in baselines if "error" not in row)
    result["baseline_seconds"] = base
    result["ratio"] = round(result["seconds"] / base, 2) if ok and base else None
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
