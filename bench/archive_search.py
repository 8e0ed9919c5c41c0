"""Benchmark: full-text search of the archive over 10,000 documents, against a LIKE scan.

    .venv/bin/python bench/archive_search.py [--documents 10000] [--repeats 5] [--database-url URL] [--keep]

Builds a fresh temporary SQLite database (or uses --database-url, an empty
PostgreSQL database, to measure the tsvector side), migrates it, loads the small demo
city (areas and accounts), then stores generated past briefings and summaries
in the demo city's villages: each with its segmented text computed by the
archive's own ``search.index_text`` and indexed by ``search.sync_index``, as
the ingest service does (facts are not read: this measures search).

Then, for a set of word queries, it times:

  search    ``archive.services.search_documents`` as the city staff account:
            the function the /archive/ page calls (scope, full-text match,
            ranking, count, first page of 20, marked snippets);
  baseline  a plain scan of the same texts: ``text LIKE '%word%'`` (one LIKE
            per word of the query), counting the matches and returning the
            first 20, in one SQL statement.

The last line printed is one JSON object: documents, queries, median_ms and
baseline_median_ms (medians over every query and repeat), ratio
(median_ms / baseline_median_ms), p95_ms and more.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

QUERIES = [
    "留守儿童", "慰问金", "儿童之家", "防溺水", "心理辅导", "空巢老人", "结对帮扶", "志愿者", "联席会议",
    "委托监护", "困境儿童 生活费", "走访 慰问", "妇联", "核桃", "枸杞", "四点半课堂", "春节 送温暖",
    "安全教育", "民政局", "监护评估",
]

TOPICS = ["关爱农村留守儿童", "困境儿童保障", "空巢老人走访慰问", "防溺水安全教育", "儿童之家建设", "结对帮扶",
          "心理健康服务", "冬季送温暖", "春节走访慰问", "未成年人保护", "临时救助", "强制报告落实"]
KIND_WORDS = ["工作简报", "工作总结", "工作的通知", "情况汇报"]
ORGS = ["市妇联", "团市委", "县民政局", "县教育局", "镇卫生院", "县残联", "县关工委", "市红十字会", "县司法局"]
FACT_SENTENCES = [
    "全{lvl}共走访留守儿童家庭{n}户，发放慰问金{m}万元。",
    "组织志愿者{s}名开展{topic}活动{k}场次，服务群众{p}人次。",
    "为{s}名困境儿童发放基本生活费{m}万元，落实临时救助{k}户。",
    "新建儿童之家{k}所，配备儿童主任{s}名，培训{p}人次。",
    "开展防溺水安全教育{k}次，发放宣传资料{p}份，排查危险水域{s}处。",
    "走访空巢老人、独居老人{n}户，送去大米{k}袋、食用油{k}桶。",
    "联合{org}开展心理辅导{k}场，惠及儿童{p}人次。",
    "落实委托监护{s}人，监护评估完成率{pct}%。",
    "{month}月{day}日，{org}组织召开联席会议，研究部署{topic}工作。",
    "“爱心家长”结对帮扶新增{s}对，覆盖{k}个村。",
    "开展“四点半课堂”{k}期，参与儿童{p}人次。",
    "春节前夕，{org}组织送温暖活动，慰问困难家庭{n}户，发放慰问品价值{m}万元。",
]
PLAIN_SENTENCES = [
    "各成员单位高度重视，明确责任分工，形成工作合力。",
    "通过活动的开展，孩子们感受到了社会大家庭的温暖。",
    "下一步，将进一步完善工作机制，确保各项任务落到实处。",
    "部分村工作基础薄弱，专业人员不足，服务水平有待提高。",
    "坚持问题导向，建立工作台账，实行销号管理。",
    "加强宣传引导，营造全社会关心关爱的良好氛围。",
    "镇村干部深入农户家中，详细了解生产生活情况，帮助解决实际困难。",
    "发展特色产业，带动群众增收致富。",
]
RARE_SENTENCES = ["村里发展核桃种植{k}亩，带动{s}户增收。", "合作社种植枸杞{k}亩，吸纳务工{s}人。"]


def generate(rng: random.Random, area_name: str, year: int, number: int) -> tuple[str, str, str]:
    topic = rng.choice(TOPICS)
    kind_word = rng.choice(KIND_WORDS)
    title = f"{area_name}{year}年{topic}{kind_word}（第{number}期）"
    sentences = []
    for _ in range(rng.randint(24, 48)):  # 600 to 1,500 characters, as real briefings
        if rng.random() < 0.55:
            template = rng.choice(FACT_SENTENCES)
        elif rng.random() < 0.02:
            template = rng.choice(RARE_SENTENCES)
        else:
            template = rng.choice(PLAIN_SENTENCES)
        sentences.append(template.format(
            lvl=rng.choice("市县镇村"), n=rng.randint(10, 900), m=round(rng.uniform(0.2, 60), 1), s=rng.randint(2, 300),
            k=rng.randint(1, 40), p=rng.randint(50, 9000), pct=rng.randint(80, 100), topic=rng.choice(TOPICS),
            org=rng.choice(ORGS), month=rng.randint(1, 12), day=rng.randint(1, 28),
        ))
    paragraphs = ["".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return title, "\n".join([title, *paragraphs]), kind_word


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="guanai-bench-archive-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="guanai.settings", DATABASE_URL=args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        GUANAI_HOME=str(workdir), GUANAI_DEBUG="0", GUANAI_SECRET_KEY="bench-only-secret-key-not-for-production",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from guanai.accounts.models import User
    from guanai.archive import search, services
    from guanai.archive.models import Document
    from guanai.areas.models import Area
    from guanai.portal.demo import load_demo

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    load_demo("small", log=lambda _msg: None)
    villages = list(Area.objects.filter(level=5, code__startswith="9901").order_by("code"))
    rng = random.Random(2026)
    print(f"setup: migrated, demo city loaded ({len(villages)} villages) in {time.perf_counter() - began:.1f}s", flush=True)

    began = time.perf_counter()
    kinds = {"工作简报": Document.BRIEFING, "工作总结": Document.SUMMARY, "工作的通知": Document.NOTICE,
             "情况汇报": Document.OTHER}
    batch: list[Document] = []
    for number in range(1, args.documents + 1):
        village = villages[number % len(villages)]
        year = rng.randint(2012, 2025)
        title, text, kind_word = generate(rng, village.name, year, number)
        batch.append(Document(
            title=title, kind=kinds[kind_word], year=year, area=village, original=f"archive/bench/{number}.txt",
            original_name=f"{number}.txt", sha256=f"{number:064x}", size=len(text.encode()), text=text,
            search_text=search.index_text(title, text),
        ))
        if len(batch) == 1000 or number == args.documents:
            with transaction.atomic():
                created = Document.objects.bulk_create(batch)
                search.sync_index([d.pk for d in created])
            batch = []
            print(f"stored {number} documents", flush=True)
    documents = Document.objects.count()
    index_seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE archive_document") if connection.get_autocommit() else None

    user = User.objects.get(username="city")  # the whole demo city is in scope

    def timed(func) -> float:
        start = time.perf_counter()
        func()
        return (time.perf_counter() - start) * 1000

    def baseline(query: str) -> tuple[int, list[int]]:
        words = query.split()
        where = " AND ".join(["text LIKE %s"] * len(words))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, count(*) OVER () FROM archive_document WHERE {where} "
                           "ORDER BY id DESC LIMIT 20", [f"%{w}%" for w in words])
            rows = cursor.fetchall()
        return (rows[0][1] if rows else 0), [r[0] for r in rows]

    # Warm up: jieba's dictionary, SQLite's page cache, both sides alike.
    for query in QUERIES:
        services.search_documents(user, query)
        baseline(query)

    search_ms: list[float] = []
    baseline_ms: list[float] = []
    for query in QUERIES:
        page = services.search_documents(user, query)
        scan_total, _ids = baseline(query)
        runs = [timed(lambda q=query: services.search_documents(user, q)) for _ in range(args.repeats)]
        scans = [timed(lambda q=query: baseline(q)) for _ in range(args.repeats)]
        search_ms += runs
        baseline_ms += scans
        marked = sum(1 for hit in page.hits if "<mark>" in hit.snippet_html)
        print(f"{query:<12} matches {page.total:>6} (LIKE {scan_total:>6})  search {statistics.median(runs):7.2f} ms"
              f"  LIKE {statistics.median(scans):7.2f} ms  marked snippets {marked}/{len(page.hits)}", flush=True)

    median_ms = statistics.median(search_ms)
    baseline_median_ms = statistics.median(baseline_ms)
    result = {
        "benchmark": "archive_search",
        "database": connection.vendor,
        "documents": documents,
        "queries": len(QUERIES),
        "repeats": args.repeats,
        "median_ms": round(median_ms, 2),
        "p95_ms": round(statistics.quantiles(search_ms, n=20)[-1], 2),
        "max_ms": round(max(search_ms), 2),
        "baseline_median_ms": round(baseline_median_ms, 2),
        "ratio": round(median_ms / baseline_median_ms, 4),
        "index_seconds": round(index_seconds, 1),
        "under_100_ms": median_ms < 100,
    }
    connection.close()
    if args.keep:
        print(f"database kept in {workdir}", flush=True)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
