"""Server time of every dashboard, list and statistics page at demo scale, for every role.

    .venv/bin/python bench/pages.py [--scale province|city|small] [--runs 3] [--only care/]
    .venv/bin/python bench/pages.py --scale city --database-url postgres://postgres@127.0.0.1:5432/guanai_bench_city

Builds (once, cached under var/bench/, or in the given database) the demo at the given
scale (province: about 1,000,000 persons), then times each page in-process through
Django's test client: middleware, queries, templates, everything but the network.
Each page is asked as every demo account; a role the page is not for (403/404/redirect)
is left out. Baseline, measured in the same run: the raw SQL a list page cannot do
without (the first 50 active persons of the city, in order). Prints the worst page;
last line: JSON with ``ratio`` (worst page / baseline).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_db import demo_arguments, open_demo  # noqa: E402

ROLES = ["admin", "office", "unit", "city", "county", "township", "village", "volunteer", "leader"]


def page_urls() -> list[str]:
    from guanai.dashboards.tables import table_specs
    from guanai.registry.models import ScreeningCampaign

    urls = ["/", "/stats/", "/stats/area/990101000000/", "/stats/area/990101001000/", "/stats/?period=2025",
            "/stats/tables/"]
    urls += [f"/stats/tables/{slug}/{code}/" for slug in table_specs() for code in ("990100000000", "990101001000")]
    urls += ["/persons/", "/persons/?q=zhang", "/persons/?q=王", "/persons/?category=left_behind_child",
             "/persons/?risk=red", "/persons/guardianship/", "/persons/aging-out/", "/persons/duplicates/",
             "/persons/transfers/", "/persons/screening/",
             "/care/", "/care/?page=5", "/care/due/", "/care/due/?status=first", "/care/due/?status=soon",
             "/care/coverage/", "/care/coverage/?period=2025", "/care/pairings/", "/care/helpers/", "/care/mine/",
             "/care/activities/", "/care/homes/", "/protection/", "/protection/?show=late",
             "/coordination/", "/coordination/reports/", "/coordination/supervision/",
             "/coordination/supervision/items/", "/coordination/projects/", "/coordination/assessment/",
             "/briefings/"]
    campaign = ScreeningCampaign.objects.order_by("pk").first()
    if campaign:
        urls.append(f"/persons/screening/{campaign.pk}/")
    return urls


def main() -> None:
    parser = demo_arguments("province", 3)
    parser.add_argument("--only", default="", help="only pages whose URL contains this text")
    parser.add_argument("--roles", default=",".join(ROLES))
    args = parser.parse_args()
    open_demo(args.scale, args.database_url or None)
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403s of roles a page is not for
    from django.db import connection
    from django.test import Client

    from guanai.accounts.models import User
    from guanai.areas.codes import subtree_bounds
    from guanai.registry.models import Person

    persons = Person.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            database_mb = round(cursor.fetchone()[0] / 2**20)
    else:
        database_mb = round(Path(connection.settings_dict["NAME"]).stat().st_size / 2**20)

    def median_ms(func, runs=args.runs) -> float:
        func()  # warm caches once
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            func()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    results: dict[str, float] = {}
    clients = {}
    for username in args.roles.split(","):
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))
    for url in page_urls():
        if args.only and args.only not in url:
            continue
        for username, client in clients.items():
            first = client.get(url, secure=True)
            if first.status_code in (302, 403, 404):
                continue  # not this role's page
            assert first.status_code == 200, (username, url, first.status_code)

            def fetch(client=client, url=url):
                client.get(url, secure=True)

            key = f"{username} {url}"
            results[key] = round(median_ms(fetch), 1)
            print(f"{username:9} {url:48} {results[key]:8.1f} ms", file=sys.stderr, flush=True)

    low, high = subtree_bounds("990100000000")

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name, area_id FROM registry_person WHERE status = 'active' AND area_id >= %s "
                           "AND area_id < %s ORDER BY area_id, name, id LIMIT 50", [low, high])
            cursor.fetchall()

    baseline_ms = median_ms(baseline, max(args.runs, 15))
    worst_page = max(results, key=results.get)
    worst = results[worst_page]
    slow = {k: v for k, v in sorted(results.items(), key=lambda kv: -kv[1]) if v >= 100}
    print(f"worst: {worst_page} {worst} ms; pages at or over 100 ms: {len(slow)} of {len(results)}", file=sys.stderr)
    print(json.dumps({"benchmark": "pages", "scale": args.scale, "database": connection.vendor, "persons": persons, "database_mb": database_mb,
                      "runs": args.runs, "pages": len(results), "worst_page": worst_page, "max_page_ms": worst,
                      "median_page_ms": statistics.median(results.values()), "over_bar": slow,
                      "baseline_ms": round(baseline_ms, 2), "ratio": round(worst / max(baseline_ms, 0.01), 1),
                      "bar_ms": 100, "meets_bar": worst < 100, "pages_ms": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
