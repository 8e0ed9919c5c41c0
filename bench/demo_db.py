"""The cached demo database the page and briefing benchmarks share.

``open_demo(scale)`` points Django at var/bench/demo-<scale>.sqlite3 in production
mode (cached templates, no debug bookkeeping, as users get it), migrates, and loads
the demo at that scale the first time (province: about 1,000,000 persons, slow).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = ["small", "city", "province"]


def open_demo(scale: str) -> Path:
    db = ROOT / "var" / "bench" / f"demo-{scale}.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    os.environ.setdefault("GUANAI_HOME", str(ROOT))
    os.environ["GUANAI_DEBUG"] = "0"
    os.environ.setdefault("GUANAI_SECRET_KEY", "bench-only-secret")
    import django

    django.setup()
    from django.core.management import call_command

    from guanai.core.demo import demo_loaded, load_demo

    call_command("migrate", verbosity=0)
    if not demo_loaded():
        started = time.perf_counter()
        load_demo(scale, log=lambda msg: print(msg, file=sys.stderr))
        print(f"demo built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return db
