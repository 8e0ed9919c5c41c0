"""Benchmark: peak memory of ingesting a zip, against reading its members raw.

    .venv/bin/python bench/archive_zip.py [--huge 8] [--huge-mb 1.5] [--small 40] [--src DIR]

Builds a zip of ``--huge`` text members of ``--huge-mb`` MB each (Chinese
prose, longer than any briefing) and ``--small`` briefings of a few hundred
characters, then runs, each in a fresh process on a fresh SQLite database:

  baseline  Django set up, and every member read by ``zipfile`` one at a time
            (nothing kept): what reading the zip costs at least;
  ingest    ``archive.services.ingest_path`` on the zip: each member read,
            checked, normalised, its facts read and stored.

Peak memory is the child's maximum resident set (``ru_maxrss``). ``--src``
runs the same measurement against another checkout's ``src`` (say the main
branch's, for a before/after figure). The last line printed is one JSON object
with peak_mb, baseline_peak_mb, ratio (peak / baseline), seconds and outcomes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROSE = "今年以来，全县走访慰问留守儿童家庭298户，发放慰问金4.5万元，新建儿童之家6所。"


def build_zip(path: Path, huge: int, huge_mb: float, small: int) -> None:
    repeat = max(1, int(huge_mb * 1024 * 1024 / len(PROSE.encode())))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(huge):
            archive.writestr(f"合订本{i:02d}.txt", (f"第{i}卷\n" + PROSE * repeat).encode())
        for i in range(small):
            archive.writestr(f"简报{i:03d}.txt", f"东城区第{i}期简报：走访慰问{i}户。{PROSE}".encode())


def child(mode: str, zip_path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    outcomes = {}
    if mode == "baseline":
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                with archive.open(info) as handle:
                    while handle.read(1024 * 1024):
                        pass
                outcomes["read"] = outcomes.get("read", 0) + 1
    else:
        from guanai.archive import services

        for outcome in services.ingest_path(zip_path):
            key = "stored" if outcome.ok else "refused_or_failed"
            outcomes[key] = outcomes.get(key, 0) + 1
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mb": round(peak_kb / 1024, 1), "seconds": round(time.perf_counter() - began, 2),
                      "outcomes": outcomes}))


def run(mode: str, zip_path: Path, src: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="guanai-bench-") as home:
        env = {**os.environ, "PYTHONPATH": str(src), "GUANAI_HOME": home,
               "DATABASE_URL": f"sqlite:///{home}/bench.sqlite3", "GUANAI_DEBUG": "1"}
        done = subprocess.run([sys.executable, __file__, "--child", mode, str(zip_path)], env=env, cwd=home,
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--huge", type=int, default=8)
    parser.add_argument("--huge-mb", type=float, default=1.5)
    parser.add_argument("--small", type=int, default=40)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ZIP"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="guanai-zip-") as folder:
        zip_path = Path(folder) / "archive.zip"
        build_zip(zip_path, args.huge, args.huge_mb, args.small)
        baseline = run("baseline", zip_path, args.src)
        print(f"baseline (raw read of every member): peak {baseline['peak_mb']} MB", file=sys.stderr)
        ingest = run("ingest", zip_path, args.src)
        print(f"ingest: peak {ingest['peak_mb']} MB in {ingest['seconds']} s, {ingest['outcomes']}", file=sys.stderr)
    print(json.dumps({
        "huge_members": args.huge, "huge_mb": args.huge_mb, "small_members": args.small,
        "peak_mb": ingest["peak_mb"], "baseline_peak_mb": baseline["peak_mb"],
        "ratio": round(ingest["peak_mb"] / baseline["peak_mb"], 2), "seconds": ingest["seconds"],
        "outcomes": ingest["outcomes"], "src": str(args.src),
    }))


if __name__ == "__main__":
    main()
