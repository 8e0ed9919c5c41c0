"""Server time of the statistics pages for a past period (issue 14: a past period's state read
from the kept month-end snapshots), at demo scale, for a few roles.

    .venv/bin/python bench/past_periods.py [--scale city] [--runs 3] [--roles admin,city,township]
        [--database-url sqlite:////path/demo-city.sqlite3]

Builds the demo (once, cached like bench/pages.py), fills the kept figures that are missing
(``refresh_all``, timed), then times each page through Django's test client. Last line: JSON
with each page's median and ``ratio`` (worst past-period page / the same page for the running year).
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
    parser = demo_arguments("city", 3)
    parser.add_argument("--roles", default="admin,city,township")
    parser.add_argument("--past", default="2025")
    args = parser.parse_args()
    open_demo(args.scale, args.database_url or None)
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.db import connection
    from django.test import Client

    from guanai.accounts.models import User
    from guanai.core import clock
    from guanai.stats import tallies

    started = time.perf_counter()
    tallies.refresh_all()
    fill_s = time.perf_counter() - started
    print(f"refresh_all {fill_s:.1f} s", file=sys.stderr, flush=True)
    this_year = str(clock.today().year)
    urls = []
    for period in (args.past, this_year):
        urls += [f"/stats/?period={period}", f"/stats/tables/left-behind-children/990100000000/?period={period}",
                 f"/stats/tables/registry/990100000000/?period={period}"]
    results, queries = {}, {}
    for username in args.roles.split(","):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            first = client.get(url, secure=True)
            if first.status_code in (302, 403, 404):
                continue
            assert first.status_code == 200, (username, url, first.status_code)
            samples, counted = [], []

            def count(execute, sql, params, many, context, counted=counted):
                counted.append(sql)  # not CaptureQueriesContext: it formats SQLite's strftime('%Y') and fails
                return execute(sql, params, many, context)

            for _ in range(args.runs):
                counted.clear()
                with connection.execute_wrapper(count):
                    t0 = time.perf_counter()
                    client.get(url, secure=True)
                    samples.append((time.perf_counter() - t0) * 1000)
            key = f"{username} {url}"
            results[key] = round(statistics.median(samples), 1)
            queries[key] = len(counted)
            print(f"{username:9} {url:64} {results[key]:8.1f} ms {queries[key]:5} queries", file=sys.stderr, flush=True)
    past = {k: v for k, v in results.items() if f"period={args.past}" in k}
    current = {k.replace(f"period={args.past}", f"period={this_year}"): v for k, v in past.items()}
    worst = max(past, key=past.get)
    print(json.dumps({"benchmark": "past_periods", "scale": args.scale, "database": connection.vendor,
                      "runs": args.runs, "refresh_all_s": round(fill_s, 1), "worst_past_page": worst,
                      "worst_past_ms": past[worst],
                      "ratio": round(past[worst] / max(results.get(worst.replace(f"period={args.past}",
                                                                                  f"period={this_year}"), 0.01), 0.01), 2),
                      "pages_ms": results, "queries": queries}, ensure_ascii=False))


if __name__ == "__main__":
    main()
