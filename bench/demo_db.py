"""The cached demo database the page and briefing benchmarks share.

``open_demo(scale)`` points Django at var/bench/demo-<scale>.sqlite3 in production
mode (cached templates, no debug bookkeeping, as users get it), migrates, and loads
the demo at that scale the first time (province: about 1,000,000 persons).
``open_demo(scale, database_url=...)`` does the same on another database (PostgreSQL:
``postgres://postgres@127.0.0.1:5432/guanai_bench_city``), created by the caller.
``demo_arguments(scale, runs)`` is the command line every such benchmark takes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = ["small", "city", "province"]


def demo_arguments(scale: str, runs: int) -> argparse.ArgumentParser:
    """--scale, --runs and --database-url (of ``open_demo``) with these defaults; a benchmark adds its own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default=scale, choices=SCALES)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--database-url", default="")
    return parser


def open_demo(scale: str, database_url: str | None = None) -> Path | str:
    if database_url:
        target: Path | str = database_url
        os.environ["DATABASE_URL"] = database_url
    else:
        target = ROOT / "var" / "bench" / f"demo-{scale}.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{target}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    os.environ.setdefault("GUANAI_HOME", str(ROOT))
    os.environ["GUANAI_DEBUG"] = "0"
    os.environ.setdefault("GUANAI_SECRET_KEY", "bench-only-secret")
    # The cached databases were encrypted under this key (the field key once defaulted
    # to the secret key): keep it, or their ID numbers could not be read.
    os.environ.setdefault("GUANAI_FIELD_KEY", "bench-only-secret")
    import django

    django.setup()
    from django.core.management import call_command

    from guanai.portal.demo import demo_loaded, load_demo

    call_command("migrate", verbosity=0)
    if not demo_loaded():
        started = time.perf_counter()
        load_demo(scale, log=lambda msg: print(f"{time.perf_counter() - started:7.1f} s  {msg}", file=sys.stderr))
        print(f"demo built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # A city or province demo leaves its month ends to the worker, which no benchmark runs: keep
    # them here as the worker would (nothing to do when they are kept), or past periods are counted.
    from guanai.stats.tallies import fill_month_ends

    started = time.perf_counter()
    fill_month_ends()
    print(f"month ends kept in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return target
