"""Server time of dashboard and list pages at demo scale.

    .venv/bin/python bench/pages.py [--scale province|city|small] [--runs 15]

Builds (once, cached under var/bench/) a SQLite database with the demo at the
given scale (province: about 1,000,000 persons), then times each page in-process
through Django's test client: middleware, queries, templates, everything but the
network. Baseline, measured in the same run: the raw SQL a list page cannot do
without (the first 50 active persons of the area, in order). Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_db import SCALES, open_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="province", choices=SCALES)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    open_demo(args.scale)
    from django.db import connection
    from django.test import Client

    from guanai.accounts.models import User
    from guanai.areas.codes import subtree_bounds
    from guanai.registry.models import Person

    persons = Person.objects.count()

    def median_ms(func) -> float:
        func()  # warm caches once
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            func()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    pages = [("admin", "/"), ("city", "/"), ("city", "/persons/"), ("city", "/persons/?q=zhang"),
             ("city", "/persons/?category=left_behind_child"), ("city", "/persons/?risk=red"),
             ("county", "/persons/"), ("village", "/"), ("village", "/persons/")]
    results = {}
    for username, url in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))

        def fetch(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        results[f"{username} {url}"] = round(median_ms(fetch), 1)
        print(f"{username:8} {url:45} {results[f'{username} {url}']:8.1f} ms", file=sys.stderr)

    low, high = subtree_bounds("990100000000")

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name, area_id FROM registry_person WHERE status = 'active' AND area_id >= %s "
                           "AND area_id < %s ORDER BY area_id, name, id LIMIT 50", [low, high])
            cursor.fetchall()

    baseline_ms = median_ms(baseline)
    worst = max(results.values())
    print(json.dumps({"benchmark": "pages", "scale": args.scale, "persons": persons, "runs": args.runs,
                      "pages_ms": results, "max_page_ms": worst, "median_page_ms": statistics.median(results.values()),
                      "baseline_ms": round(baseline_ms, 2), "ratio": round(worst / max(baseline_ms, 0.01), 1),
                      "bar_ms": 100, "meets_bar": worst < 100}, ensure_ascii=False))


if __name__ == "__main__":
    main()
