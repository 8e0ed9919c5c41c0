"""Benchmark: `guanai migrate` on a copy of the province database.

    .venv/bin/python bench/migrate.py [--db guanai] [--pg-port 5544]

Starts deploy-local's PostgreSQL (stop deploy-local first), copies its database
(CREATE DATABASE ... TEMPLATE),
then times on the copy: `guanai migrate` with what is pending there (the migrations
newer than the province demo), a round trip of the heaviest migration on the person table
(registry 0005: a column and an index on a million rows, back and forth), and, as the
baseline, `guanai migrate` with nothing to do. The copy is dropped at the end.
The last line is one JSON object; ``ratio`` = pending migrations' seconds / baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="guanai")
    parser.add_argument("--pg-port", type=int, default=5544)
    args = parser.parse_args()
    copy = f"{args.db}_migrate_copy"
    psql = ["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-qc"]
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/{copy}",
           "GUANAI_HOME": str(ROOT)}

    def migrate(*target: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "guanai.cli", "migrate", *target, "--noinput", "-v", "0"],
                       env=env, check=True)
        return round(time.perf_counter() - started, 2)

    spec = importlib.util.spec_from_file_location("deploy_local", ROOT / "deploy" / "local.py")
    local = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(local)
    local.start_postgres(args.pg_port)
    started = time.perf_counter()
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{copy}"'], check=True)
    subprocess.run([*psql, f'CREATE DATABASE "{copy}" TEMPLATE "{args.db}"'], check=True)
    copied = round(time.perf_counter() - started, 2)
    try:
        persons = subprocess.run([*psql[:-1], "-d", copy, "-tAc", "SELECT count(*) FROM registry_person"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        pending = migrate()
        back = migrate("registry", "0004")
        forth = migrate("registry")
        baseline = migrate()
    finally:
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{copy}"'], check=True)
        local.stop_postgres()
    print(f"{persons} persons; copy {copied} s; pending migrations {pending} s; registry 0005 back {back} s, "
          f"forth {forth} s; nothing to do {baseline} s")
    print(json.dumps({"persons": int(persons), "copy_seconds": copied, "pending_seconds": pending,
                      "registry_0005_back_seconds": back, "registry_0005_forth_seconds": forth,
                      "baseline_seconds": baseline, "ratio": round(pending / baseline, 2)}))


if __name__ == "__main__":
    main()
