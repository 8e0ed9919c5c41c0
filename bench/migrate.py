"""Benchmark: `guanai migrate` on a copy of the province database (the bar: under a minute).

    .venv/bin/python bench/migrate.py [--db guanai] [--pg-port 5544] [--fill-rows 20000]

Starts deploy-local's PostgreSQL (stop deploy-local first: a database being copied must have
no other connection), copies its database (CREATE DATABASE ... TEMPLATE) and times on the copy:

  pending    `guanai migrate` as an upgrade to this code would run it: what is pending on
             the province demo (nothing when the demo was built by this code);
  upgrade    a live upgrade from the release before the newest big-table migrations: the copy
             is first taken back (not timed) to registry 0007 and care 0002, then
             `guanai migrate` is timed bringing it forward again -- a new column on the million
             persons, three indexes on them and one on the five million visits, each built
             CONCURRENTLY (safe_migrations), and registry 0009, which leaves a province's ID
             suffix hashes to `guanai fill-suffix-hashes` instead of filling them inside the
             migration;
  fill       that command on --fill-rows persons (it runs after the upgrade, while serving,
             in batches that commit one by one): rows per second and the whole province's time;
  baseline   `guanai migrate` with nothing to do (Django's start and the migration graph).

The copy is dropped and PostgreSQL stopped at the end. The last line is one JSON object;
``ratio`` = (pending + upgrade seconds) / baseline seconds, ``under_a_minute`` the bar.
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
# The newest migrations on the big tables (registry: persons; care: visits): an upgrade from
# the release before them is the heavy schema change measured.
BEFORE = [("registry", "0007"), ("care", "0002")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="guanai")
    parser.add_argument("--pg-port", type=int, default=5544)
    parser.add_argument("--fill-rows", type=int, default=20000, help="persons whose suffix hash the fill is timed on")
    args = parser.parse_args()
    copy = f"{args.db}_migrate_copy"
    psql = ["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-qc"]
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/{copy}",
           "GUANAI_HOME": str(ROOT)}

    def guanai(*argv: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "guanai.cli", *argv], env=env, check=True, stdout=subprocess.DEVNULL)
        return round(time.perf_counter() - started, 2)

    def migrate(*target: str) -> float:
        return guanai("migrate", *target, "--noinput", "-v", "0")

    def scalar(query: str) -> int:
        return int(subprocess.run([*psql[:-1], "-d", copy, "-tAc", query], capture_output=True, text=True,
                                  check=True).stdout.strip())

    spec = importlib.util.spec_from_file_location("deploy_local", ROOT / "deploy" / "local.py")
    local = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(local)
    local.start_postgres(args.pg_port)
    started = time.perf_counter()
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{copy}"'], check=True)
    subprocess.run([*psql, f'CREATE DATABASE "{copy}" TEMPLATE "{args.db}"'], check=True)
    copied = round(time.perf_counter() - started, 2)
    try:
        persons = scalar("SELECT count(*) FROM registry_person")
        visits = scalar("SELECT count(*) FROM care_visit")
        size = scalar(f"SELECT pg_database_size('{copy}')")
        pending = migrate()
        back = sum(migrate(app, name) for app, name in BEFORE)
        upgrade = migrate()
        missing = scalar("SELECT count(*) FROM registry_person WHERE id_suffix_hash = '' AND id_number_encrypted <> ''")
        fill = guanai("fill-suffix-hashes", "--limit", str(args.fill_rows))
        filled = missing - scalar("SELECT count(*) FROM registry_person WHERE id_suffix_hash = '' "
                                  "AND id_number_encrypted <> ''")
        baseline = migrate()
    finally:
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{copy}"'], check=True)
        local.stop_postgres()
    rate = round(filled / fill, 1) if fill and filled else 0.0
    total = round(pending + upgrade, 2)
    print(f"{persons} persons, {visits} visits, {size / 2 ** 30:.2f} GiB; copy {copied} s; pending migrations "
          f"{pending} s; upgrade from {', '.join(f'{a} {n}' for a, n in BEFORE)} {upgrade} s (taking it back "
          f"{back} s, not counted); fill-suffix-hashes {filled} rows in {fill} s ({rate}/s; {missing} to fill: "
          f"about {round(missing / rate) if rate else '?'} s while serving); nothing to do {baseline} s")
    print(json.dumps({"persons": persons, "visits": visits, "database_bytes": size, "copy_seconds": copied,
                      "pending_seconds": pending, "upgrade_seconds": upgrade, "rollback_seconds": back,
                      "migrate_seconds": total, "under_a_minute": total < 60,
                      "fill_rows": filled, "fill_seconds": fill, "fill_rows_per_second": rate,
                      "fill_rows_waiting": missing, "baseline_seconds": baseline,
                      "ratio": round(total / baseline, 2)}))


if __name__ == "__main__":
    main()
