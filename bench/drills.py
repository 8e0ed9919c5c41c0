"""Drills of issue 19's bad input that take minutes, on a private PostgreSQL cluster
(var/drills/, its own port: the machine's shared PostgreSQL is never touched).

    .venv/bin/python bench/drills.py [--rows 30000] [--pg-port 5599]     (make drills)

1. PostgreSQL restarted during an import: a worker imports a person list; half-way the
   database restarts (every connection cut). The job must be retried by itself and end
   with every row stored exactly once; the worker must live on.
2. A web process killed mid-request: visits with aid are posted while the web process is
   SIGKILLed; every visit is stored whole (with both aid items) or not at all, and the
   site answers again by itself.

The last line is one JSON object (``ratio``: the restarted import's time over a clean one).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guanai.ops.testing import Browser, persons_csv, served, sql  # noqa: E402

spec = importlib.util.spec_from_file_location("deploy_local", ROOT / "deploy" / "local.py")
local = importlib.util.module_from_spec(spec)
spec.loader.exec_module(local)
local.DEPLOY = ROOT / "var" / "drills"

ENQUEUE = """
import sys, django
django.setup()
from guanai.accounts.models import User
from guanai.core.jobs import start_job
job = start_job("import", "演练导入", User.objects.get(username="admin"), {"kind": "persons", "path": sys.argv[1], "options": {}})
print(job.pk)
"""


def log(message: str) -> None:
    print(f"[drills] {message}", file=sys.stderr, flush=True)


def env_for(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "GUANAI_HOME": str(local.DEPLOY), "DJANGO_SETTINGS_MODULE":
            "guanai.settings"}


def job_row(url: str, job_id: int):
    return sql(url, "SELECT status, attempts, message, result FROM core_job WHERE id = %s", (job_id,))[0]


def import_once(url: str, path: Path, restart_after: float | None, port: int) -> dict:
    before = sql(url, "SELECT count(*) FROM registry_person")[0][0]
    job_id = int(subprocess.run([sys.executable, "-c", ENQUEUE, str(path)], env=env_for(url), check=True,
                                capture_output=True, text=True).stdout.strip())
    worker = subprocess.Popen([sys.executable, "-m", "guanai.cli", "worker", "--interval", "0.2",
                               "--no-startup-delay"], env=env_for(url),
                              stdout=subprocess.DEVNULL, stderr=(local.DEPLOY / "drill-worker.log").open("a"))
    started = time.monotonic()
    messages = []
    restarted = False
    try:
        while True:
            try:
                status, attempts, message, _result = job_row(url, job_id)
            except Exception:  # the database is restarting
                time.sleep(0.2)
                continue
            if message and (not messages or messages[-1] != message):
                messages.append(message)
            if restart_after is not None and not restarted and status == "running" \
                    and time.monotonic() - started > restart_after:
                log("restarting PostgreSQL in the middle of the import")
                local.as_postgres([local.pg_tool("pg_ctl"), "-D", str(local.DEPLOY / "pgdata"), "-m", "fast", "-w",
                                   "-l", str(local.DEPLOY / "postgresql.log"), "restart"], capture_output=True)
                restarted = True
            if status in ("done", "failed"):
                break
            if time.monotonic() - started > 900:
                raise SystemExit("the import did not finish in 15 minutes")
            time.sleep(0.2)
        seconds = time.monotonic() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        worker_exit = worker.wait(timeout=30)
    status, attempts, message, result = job_row(url, job_id)
    result = result if isinstance(result, dict) else json.loads(result or "{}")
    after = sql(url, "SELECT count(*) FROM registry_person")[0][0]
    return {"status": status, "attempts": attempts, "messages": messages, "created": result.get("created"),
            "rows_accounted": sum(result.get(k) or 0 for k in ("created", "updated", "unchanged")),
            "persons_added": after - before, "seconds": round(seconds, 1), "worker_survived": worker_exit == 0}


def kill_mid_request(url: str, home: Path) -> dict:
    mark = f"演练{int(time.time())}"
    with served(home, DATABASE_URL=url) as server:
        browser = Browser(server.url)
        browser.login("village")
        _s, due = browser.get("/care/due/")
        people = re.findall(r"/care/visits/create/\?person=(\d+)", due) or re.findall(r"/persons/(\d+)/", due)
        answered, failed = [], []

        def post(n: int) -> None:
            person = people[n % len(people)]
            _s, form = browser.get(f"/care/visits/create/?person={person}")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            day = re.search(r'name="visit_date"[^>]*value="([^"]+)"', form).group(1)
            data = [("csrfmiddlewaretoken", token), ("person", person), ("visit_date", day), ("mode", "home"),
                    ("findings", f"{mark}-{n}"), ("aid_kind", "cash"), ("aid_description", "慰问金"),
                    ("aid_quantity", ""), ("aid_unit", ""), ("aid_value", "300"), ("aid_kind", "goods"),
                    ("aid_description", "大米"), ("aid_quantity", "2"), ("aid_unit", "袋"), ("aid_value", "120")]
            from urllib.parse import urlencode

            try:
                status, _b, _h = browser.request("/care/visits/create/", data=urlencode(data).encode(), timeout=60)
                (answered if status == 302 else failed).append((n, status))
            except Exception as exc:  # connection reset, remote disconnected: the process died
                failed.append((n, repr(exc)))

        threads = [threading.Thread(target=post, args=(n,)) for n in range(40)]
        for t in threads:
            t.start()
            time.sleep(0.02)
        time.sleep(0.3)
        victim = server.children[0]
        os.kill(victim, signal.SIGKILL)
        log(f"killed web process {victim} with requests in flight")
        for t in threads:
            t.join()
        status, _body = browser.get("/", timeout=60)
        back = status == 200 and server.children[0] != victim
        lost = len(answered) + len(failed)
        for n in range(40, 50):  # after the kill: the new process takes them all
            post(n)
        after_kill = len(answered) + len(failed) - lost
    rows = sql(url, "SELECT v.id, count(a.id) FROM care_visit v LEFT JOIN care_aiditem a ON a.visit_id = v.id "
                    "WHERE v.findings LIKE %s GROUP BY v.id", (f"{mark}-%",))
    return {"posted": 50, "answered_saved": len(answered), "failed_in_flight": len(failed),
            "posted_after_kill": after_kill, "saved_after_kill": sum(1 for n, _s in answered if n >= 40),
            "visits_in_db": len(rows), "visits_half_written": sum(1 for _id, aid in rows if aid != 2),
            "saved_but_unanswered": len(rows) - len(answered), "site_back_by_itself": back}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=30000)
    parser.add_argument("--pg-port", type=int, default=5599)
    args = parser.parse_args()
    local.DEPLOY.mkdir(parents=True, exist_ok=True)
    local.start_postgres(args.pg_port)
    url = f"postgres://postgres@127.0.0.1:{args.pg_port}/guanai_drill"
    try:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-qc",
                        "DROP DATABASE IF EXISTS guanai_drill WITH (FORCE)", "-c", "CREATE DATABASE guanai_drill"],
                       check=True)
        for command in (["migrate", "--noinput", "-v", "0"], ["demo"]):
            subprocess.run([sys.executable, "-m", "guanai.cli", *command], env=env_for(url), check=True,
                           capture_output=True)
        villages = [r[0] for r in sql(url, "SELECT code FROM areas_area WHERE level = 5")]
        clean_file = persons_csv(local.DEPLOY / "drill-clean.csv", args.rows, villages, seed=3)
        drill_file = persons_csv(local.DEPLOY / "drill-restart.csv", args.rows, villages, seed=4)
        log(f"clean import of {args.rows} rows")
        clean = import_once(url, clean_file, None, args.pg_port)
        log(f"import of {args.rows} rows with PostgreSQL restarted half-way")
        restart = import_once(url, drill_file, clean["seconds"] / 2, args.pg_port)
        log("web process killed mid-request")
        killed = kill_mid_request(url, local.DEPLOY)
    finally:
        local.stop_postgres()
    ok = (restart["status"] == "done" and restart["attempts"] >= 2 and restart["rows_accounted"] == args.rows
          and restart["persons_added"] == restart["created"] and killed["visits_half_written"] == 0
          and killed["site_back_by_itself"] and killed["saved_after_kill"] == 10)
    print(f"PostgreSQL restart during import: {restart}")
    print(f"web process killed mid-request: {killed}")
    print(json.dumps({"rows": args.rows, "clean_import": clean, "restart_drill": restart, "kill_drill": killed,
                      "passed": ok, "ratio": round(restart["seconds"] / clean["seconds"], 2)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
