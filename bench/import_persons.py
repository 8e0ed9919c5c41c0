"""Benchmark: import a 200,000-row person workbook, against a raw parse plus a raw bulk insert.

    .venv/bin/python bench/import_persons.py [--rows 200000] [--database-url URL] [--keep]

Builds a fresh temporary SQLite database (or uses --database-url), migrates it,
loads the small demo city, writes a workbook of valid, distinct persons in the
demo's villages, then measures, each phase in its own child process (so that
ru_maxrss is that phase's peak):

  import    the persons importer, not a dry run: the same function the upload
            page's job and `guanai import --kind persons` call;
  baseline  python-calamine reading every row of the same file, plus an
            executemany INSERT of those rows into a plain table, in one transaction.

The last line printed is one JSON object: rows, seconds, baseline_seconds, ratio
(seconds / baseline_seconds), peak_mb (the import's peak resident memory) and more.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫宇浩然子轩欣怡梓涵一诺思远佳琪雨泽俊熙博文嘉怡晨阳"
REGIONS = ["110105", "120101", "130102", "320102", "330106", "340102", "360102", "410102", "420102", "430102",
           "440106", "450102", "500101", "510104", "520102", "530102", "610102", "620102"]
ETHNICITIES = ["汉族"] * 8 + ["回族", "苗族", "壮族", "土家族"]
CATEGORIES = [("农村留守儿童", 4, 15), ("困境儿童", 2, 17), ("空巢老人", 62, 85), ("独居老人", 65, 90),
              ("残疾人", 20, 59), ("低保/困难家庭", 30, 59)]
WEIGHTS = [50, 10, 15, 10, 8, 7]
HEADERS = ["序号", "姓名", "性别", "民族", "出生日期", "身份证号", "联系电话", "村（社区）代码", "现住址",
           "户籍所在地", "人员类别"]


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def _env(db_url: str, home: str) -> dict:
    env = dict(os.environ)
    # Production settings (DEBUG off: no query log), as a real installation runs.
    env.update(DJANGO_SETTINGS_MODULE="guanai.settings", DATABASE_URL=db_url, GUANAI_HOME=home,
               GUANAI_DEBUG="0", GUANAI_SECRET_KEY="bench-only-secret-key-not-for-production",
               PYTHONPATH=str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""))
    env.pop("GUANAI_TEST_PAUSE_IN_COMMIT", None)
    return env


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _django():
    import django

    django.setup()


# --- phases, each run in its own process ------------------------------------------


def phase_setup(path: str, rows: int) -> dict:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from guanai.portal import demo

    try:
        demo.load_demo("small", log=lambda _m: None)
    except Exception as exc:  # another app's demo step failing must not stop this benchmark
        print(f"demo: {exc!r}; loading the areas and accounts of the demo only", file=sys.stderr)
        import random as _random

        from django.db import transaction

        ctx = demo.DemoContext(scale="small", today=date.today(), rng=_random.Random(2026))
        with transaction.atomic():
            demo.build_areas(ctx)
            demo.build_units_and_users(ctx)
    from guanai.areas.models import Area

    villages = list(Area.objects.filter(level=5, code__startswith="99").values_list("code", flat=True))
    started = time.perf_counter()
    write_workbook(path, int(rows), villages)
    return {"villages": len(villages), "write_seconds": round(time.perf_counter() - started, 2)}


def write_workbook(path: str, rows: int, villages: list[str]) -> None:
    from openpyxl import Workbook

    rng = random.Random(20260101)
    today = date.today()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append(["示范市关爱对象花名册（基准测试）"])
    ws.append(HEADERS)
    seen: set[str] = set()
    for i in range(1, rows + 1):
        label, lo, hi = rng.choices(CATEGORIES, WEIGHTS)[0]
        while True:
            age = rng.randint(lo, hi - 1)  # born in the year before: aged age or age + 1
            born = date(today.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
            seq = rng.randint(0, 999)
            first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
            if first17 not in seen:
                seen.add(first17)
                break
        id_number = first17 + check_digit(first17)
        sex = "男" if seq % 2 else "女"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        village = rng.choice(villages)
        birth_cell = datetime(born.year, born.month, born.day) if i % 2 else f"{born.year}-{born.month}-{born.day}"
        ws.append([i, name, sex, rng.choice(ETHNICITIES), birth_cell, id_number,
                   f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}", village,
                   f"示范市第{rng.randint(1, 300)}号", f"示范省示范市{rng.randint(1, 30)}组", label])
    wb.save(path)


def phase_import(path: str) -> dict:
    _django()
    from guanai.importing import importer_for
    from guanai.registry.models import Person

    importer = importer_for("persons")
    before = Person.objects.count()
    profile = os.environ.get("BENCH_PROFILE")  # a file for cProfile's statistics of this phase
    profile = profile if os.environ.get("BENCH_PROFILE_PHASE", "import") == "import" else None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = importer(path, user=None, dry_run=False, options={})
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "errors": len(result.errors),
            "first_errors": [e.message for e in result.errors[:3]], "committed": result.committed,
            "persons_added": Person.objects.count() - before, "peak_mb": _peak_mb()}


def phase_reimport(path: str) -> dict:
    _django()
    from guanai.importing import importer_for

    profile = os.environ.get("BENCH_PROFILE") if os.environ.get("BENCH_PROFILE_PHASE") == "reimport" else None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    importer = importer_for("persons")
    started = time.perf_counter()
    result = importer(path, user=None, dry_run=False, options={})
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    return {"seconds": round(time.perf_counter() - started, 3), "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged, "errors": len(result.errors),
            "peak_mb": _peak_mb()}


def phase_baseline(path: str) -> dict:
    """A raw parse of the same file and a raw bulk insert of the same rows into a plain table."""
    _django()
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    started, cpu_started = time.perf_counter(), time.process_time()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = []
    for values in sheet.iter_rows():
        rows.append(tuple(v.isoformat() if isinstance(v, (date, datetime)) else v for v in values[:len(HEADERS)]))
    parsed = time.perf_counter()
    rows = rows[2:]  # title and header
    columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_person")
        key = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
        cursor.execute(f"CREATE TABLE bench_plain_person (id {key}, {columns})")
    insert = (f"INSERT INTO bench_plain_person ({', '.join(f'c{i}' for i in range(len(HEADERS)))}) "
              f"VALUES ({', '.join(['%s'] * len(HEADERS))})")
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(insert, [tuple(None if v == "" else str(v) for v in r)
                                        for r in rows[start:start + 10_000]])
    finished, cpu = time.perf_counter(), time.process_time() - cpu_started
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_plain_person")
        inserted = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_plain_person")
    return {"seconds": round(finished - started, 3), "cpu_seconds": round(cpu, 3), "parse_seconds": round(parsed - started, 3),
            "insert_seconds": round(finished - parsed, 3), "inserted": inserted, "peak_mb": _peak_mb()}


PHASES = {"setup": phase_setup, "import": phase_import, "reimport": phase_reimport, "baseline": phase_baseline}


def run_phase(name: str, env: dict, *args) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--phase", name, *map(str, args)], env=env, cwd=env["GUANAI_HOME"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"phase {name} failed")
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database-url", help="use this (empty) database instead of a temporary SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--reimport", action="store_true", help="also time a second import of the same file")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.phase:
        print(json.dumps(PHASES[opts.phase](*opts.args)))
        return

    folder = tempfile.mkdtemp(prefix="guanai-bench-")
    db_url = opts.database_url or f"sqlite:///{folder}/bench.sqlite3"
    env = _env(db_url, folder)
    path = str(Path(folder) / f"persons-{opts.rows}.xlsx")
    setup = run_phase("setup", env, path, opts.rows)
    sys.stderr.write(setup.pop("log", ""))
    sys.stderr.flush()
    print(f"workbook: {path} ({Path(path).stat().st_size / 1e6:.1f} MB, written in {setup['write_seconds']} s)",
          file=sys.stderr)
    imported = run_phase("import", env, path)
    print(f"import: {imported}", file=sys.stderr)
    baseline = run_phase("baseline", env, path)
    print(f"baseline: {baseline}", file=sys.stderr)
    extra = {}
    if opts.reimport:
        again = run_phase("reimport", env, path)
        print(f"re-import: {again}", file=sys.stderr)
        extra = {"reimport_seconds": again["seconds"], "reimport_unchanged": again["unchanged"]}
    if not opts.keep and not opts.database_url:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    ok = imported["created"] == opts.rows and imported["errors"] == 0 and imported["committed"]
    print(json.dumps({
        "rows": opts.rows,
        "seconds": imported["seconds"],
        "baseline_seconds": baseline["seconds"],
        "ratio": round(imported["seconds"] / baseline["seconds"], 2),
        "peak_mb": imported["peak_mb"],
        "cpu_seconds": imported["cpu_seconds"],
        "baseline_cpu_seconds": baseline["cpu_seconds"],
        "cpu_ratio": round(imported["cpu_seconds"] / baseline["cpu_seconds"], 2),
        "load_average": round(os.getloadavg()[0], 2),
        "baseline_peak_mb": baseline["peak_mb"],
        "baseline_parse_seconds": baseline["parse_seconds"],
        "baseline_insert_seconds": baseline["insert_seconds"],
        "created": imported["created"],
        "errors": imported["errors"],
        "all_rows_imported": ok,
        "database": "postgresql" if db_url.startswith("postgres") else "sqlite",
        **extra,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
