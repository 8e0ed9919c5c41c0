"""Time to compose a quarterly briefing and write it out, at demo scale.

    .venv/bin/python bench/briefing.py                    # the demo city (city scale, ~55,000 persons)
    .venv/bin/python bench/briefing.py --scale province   # the demo province (~1,000,000 persons; slow to build)

Builds (once, cached under var/bench/) a SQLite database with the demo at the
given scale, then, for the last complete quarter of the city (or the province):

  baseline   the raw metric queries alone: every figure the briefing holds,
             asked of ``stats.metrics.compute`` one by one, nothing cached;
  briefing   composing the draft (figures, highlights, problems) and storing
             it with its facts, then writing DOCX and PDF (charts included).

Each is the median of --runs runs after one warm-up. The bar (DESIGN.md §6):
a city's quarterly briefing in under 2 s, a province's in under 10 s.
Last line: JSON with ``ratio`` = briefing / baseline.
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

BARS = {"small": 2.0, "city": 2.0, "province": 10.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="city", choices=SCALES)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    open_demo(args.scale)
    from django.utils import timezone

    from guanai.areas.scoping import area_filter
    from guanai.areas.models import Area
    from guanai.briefings import render as rendering
    from guanai.briefings import services
    from guanai.briefings.models import Briefing
    from guanai.core.demo import CITY_CODE, PROVINCE_CODE
    from guanai.registry.models import Person
    from guanai.stats.metrics import compute
    from guanai.stats.periods import last_complete_quarter, parse_period

    area = Area.objects.get(pk=PROVINCE_CODE if args.scale == "province" else CITY_CODE)
    period = last_complete_quarter(timezone.localdate())
    persons = Person.objects.filter(area_filter("area", area.code)).count()

    def briefing_run() -> dict:
        times = {}
        started = time.perf_counter()
        briefing = services.create_briefing(area, period, "jianbao")
        times["compose"] = time.perf_counter() - started
        for fmt in ("docx", "pdf"):
            started = time.perf_counter()
            data = rendering.render(briefing, fmt)
            times[fmt] = time.perf_counter() - started
            assert len(data) > 1000
        times["facts"] = briefing.facts.count()
        times["specs"] = [(f.metric, f.area_code, f.period_key, f.params, f.derivation)
                          for f in briefing.facts.all()]
        Briefing.objects.filter(pk=briefing.pk).delete()
        return times

    def baseline_run(specs) -> float:
        started = time.perf_counter()
        for metric, code, key, params, derivation in specs:
            this = parse_period(key)
            compute(metric, code, this, **params)
            if derivation == "yoy":
                compute(metric, code, this.previous_year(), **params)
        return time.perf_counter() - started

    warm = briefing_run()  # imports, font cache, first queries
    specs = warm["specs"]
    baseline_run(specs)
    runs = [briefing_run() for _ in range(args.runs)]
    baselines = [baseline_run(specs) for _ in range(args.runs)]
    med = {key: statistics.median(r[key] for r in runs) for key in ("compose", "docx", "pdf")}
    total = med["compose"] + med["docx"] + med["pdf"]
    baseline = statistics.median(baselines)
    for key, value in med.items():
        print(f"{key:8} {value * 1000:8.0f} ms", file=sys.stderr)
    print(f"{'total':8} {total * 1000:8.0f} ms   (bar {BARS[args.scale]:.0f} s)", file=sys.stderr)
    print(f"{'baseline':8} {baseline * 1000:8.0f} ms   ({len(specs)} metric queries)", file=sys.stderr)
    print(json.dumps({
        "scale": args.scale, "area": area.code, "period": period.key, "persons": persons, "facts": warm["facts"],
        "baseline_s": round(baseline, 3), "compose_s": round(med["compose"], 3), "docx_s": round(med["docx"], 3),
        "pdf_s": round(med["pdf"], 3), "total_s": round(total, 3), "bar_s": BARS[args.scale],
        "under_bar": total < BARS[args.scale], "ratio": round(total / baseline, 2) if baseline else None,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
