"""Probable duplicates: the kept groups (registry.DuplicateMember) against counting them from the
records (the way the page worked before, still its path until the kept groups are complete), for
the admin, a city and a township user; and the cost of keeping them (a full rebuild, as
``refresh_all`` does; a two-village refresh, as a write does, rolled back).

    .venv/bin/python bench/duplicates.py [--scale city] [--runs 5] [--database-url postgres://...]

Last line: JSON with ``ratio`` (the slowest user's kept time / their counted time, same run).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_db import demo_arguments, open_demo  # noqa: E402


def main() -> None:
    parser = demo_arguments("city", 5)
    args = parser.parse_args()
    open_demo(args.scale, args.database_url or None)
    from django.db import connection, transaction

    from guanai.accounts.models import User
    from guanai.registry import duplicates
    from guanai.registry.models import DuplicateMember, Person

    def median_ms(func) -> float:
        func()
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            func()
            samples.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(samples), 1)

    def rebuild():
        with transaction.atomic():
            duplicates.keep_duplicates(None)

    rebuild_ms = median_ms(rebuild) if not DuplicateMember.objects.exists() else None
    if rebuild_ms is None:
        started = time.perf_counter()
        rebuild()
        rebuild_ms = round((time.perf_counter() - started) * 1000, 1)
    assert duplicates._kept_complete(), "no full refresh kept: run refresh_all once"
    villages = list(Person.objects.filter(pk__in=DuplicateMember.objects.filter(kind="id").values("person_id"))
                    .values_list("area_id", flat=True)[:2])

    def write_refresh():
        with transaction.atomic():
            duplicates.keep_duplicates(villages)
            transaction.set_rollback(True)

    results = {}
    for username in ("admin", "city", "township"):
        user = User.objects.get(username=username)
        counted = median_ms(lambda: duplicates._live_groups(user, duplicates.LIMIT))
        kept = median_ms(lambda: duplicates.probable_duplicates(user))
        same = ([(g.reason, [p.pk for p in g.persons]) for g in duplicates._live_groups(user, duplicates.LIMIT)]
                == [(g.reason, [p.pk for p in g.persons]) for g in duplicates.probable_duplicates(user)])
        results[username] = {"counted_ms": counted, "kept_ms": kept, "same_groups": same}
        print(f"{username:9} counted {counted:9.1f} ms   kept {kept:7.1f} ms   same groups: {same}", file=sys.stderr)
    refresh_ms = median_ms(write_refresh)
    print(f"full rebuild {rebuild_ms} ms; a write's refresh of two villages {refresh_ms} ms", file=sys.stderr)
    worst = max(results, key=lambda u: results[u]["kept_ms"])
    print(json.dumps({"benchmark": "duplicates", "scale": args.scale, "database": connection.vendor,
                      "persons": Person.objects.count(), "kept_rows": DuplicateMember.objects.count(),
                      "users": results, "rebuild_ms": rebuild_ms, "write_refresh_ms": refresh_ms,
                      "ratio": round(results[worst]["kept_ms"] / max(results[worst]["counted_ms"], 0.01), 4)},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
