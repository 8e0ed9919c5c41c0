"""Benchmark: loading the demo (`guanai demo --scale ...`) on a fresh database, step by step.

    .venv/bin/python bench/demo_load.py [--scale province] [--cities 1]
                                        [--database-url postgres://postgres@127.0.0.1:5432/guanai_demo_load]

Drops and re-creates the database (PostgreSQL), migrates, and loads the demo, printing each
step's seconds. ``--cities N`` loads only the first N cities of the scale (same villages per
city, same records per village), to time a slice of the province and extrapolate. Printed: the
rows of the big tables and the database's size. The last line is one JSON object; ``ratio`` =
the load's seconds over a raw COPY of as many bare rows as the demo wrote to its two biggest
tables (persons, visits).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="province")
    parser.add_argument("--cities", type=int, default=0, help="load only this many cities (0: all)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/guanai_demo_load")
    args = parser.parse_args()
    import psycopg

    base, name = args.database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    os.environ.setdefault("GUANAI_HOME", str(ROOT))
    os.environ.setdefault("GUANAI_SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("GUANAI_FIELD_KEY", "bench-only-secret")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from guanai.core import demo
    from guanai.portal.demo import load_demo

    call_command("migrate", verbosity=0)
    if args.cities:
        demo.SCALES[args.scale] = {**demo.SCALES[args.scale], "cities": args.cities}
    if os.environ.get("BENCH_COUNTIES"):
        demo.SCALES[args.scale] = {**demo.SCALES[args.scale], "counties": int(os.environ["BENCH_COUNTIES"])}
    started = time.perf_counter()
    load_demo(args.scale, log=lambda msg: print(f"{time.perf_counter() - started:7.1f} s  {msg}", flush=True))
    seconds = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        counts = {}
        for table in ["registry_person", "care_visit", "care_aiditem", "stats_areatally", "stats_monthtally"]:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        size_mb = round(cursor.fetchone()[0] / 2 ** 20)
        rows = counts["registry_person"] + counts["care_visit"]
        cursor.execute("CREATE TEMP TABLE bench_bare (id bigint, area varchar(12), day date, note text)")
        raw_started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_bare FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((i, "990101001001", "2026-01-01", "孩子身体健康，学习正常。"))
        raw = round(time.perf_counter() - raw_started, 1)
    print(f"demo {args.scale} (cities {args.cities or 'all'}) loaded in {seconds} s; {counts}; {size_mb} MB; "
          f"raw COPY of {rows} bare rows {raw} s")
    print(json.dumps({"scale": args.scale, "cities": args.cities, "seconds": seconds, **counts, "size_mb": size_mb,
                      "raw_copy_seconds": raw, "ratio": round(seconds / max(raw, 0.1), 1)}))


if __name__ == "__main__":
    main()
