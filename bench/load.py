"""Benchmark: a month-end against `make deploy-local` on the province demo.

    .venv/bin/python bench/load.py [--users 50,200,500] [--seconds 60] [--db guanai] [--kill-drill]

(`make load LOAD_ARGS=...` installs locust first.) Needs the province demo in deploy-local's
database: `make deploy-local DEPLOY_ARGS="--demo province"` once (10+ minutes), then stop it.

For one and then two `guanai serve` processes behind nginx (deploy/local.py --web 1|2, two
workers, PostgreSQL), and for each number of simulated users, locust (headless, against
127.0.0.1 only, bounded by --seconds) plays the month end:

  (nine in ten are signed in already -- sessions made beforehand -- one in ten logs in)
  village workers (one account per village, made here): the due list, the visit form,
                  saving a visit with aid (each marked, to be counted afterwards), a person
  county staff:   the dashboard, the coverage page, a person search, an export of a township
  offices:        the dashboard, the briefing list, composing a briefing (a background job;
                  the quarter's city briefing is published already, so the page asks to confirm
                  a second one, and the office confirms)
  the REST API:   another system paging the county's persons with a Bearer token (ApiClient)

Printed: requests per second, median and 99th-percentile milliseconds per kind, errors, and
whether every saved visit is in the database exactly once (counted there by its mark). With
--kill-drill, one more run with two web processes kills one of them (SIGKILL) half-way
and reports what failed. The last line is one JSON object; ``ratio`` is the throughput with
two web processes over the throughput with one, at the largest number of users.
"""

from __future__ import annotations

import os
import random
import re
import uuid

# ---------------------------------------------------------------------------------------
# The simulated users (this module is also the locustfile: locust imports it).
# ---------------------------------------------------------------------------------------
if __name__ != "__main__":
    from locust import HttpUser, between, task

    PASSWORD = "demo-guanai-2026"
    RUN = os.environ.get("GUANAI_LOAD_RUN", "run")
    # The mark of every visit whose save was answered, one a line: afterwards compared with
    # the visits in the database (none lost, none doubled).
    ANSWERED = open(os.environ.get("GUANAI_LOAD_ANSWERED", os.devnull), "a", buffering=1, encoding="utf-8")
    ACCOUNTS = int(os.environ.get("GUANAI_LOAD_ACCOUNTS", "600"))
    TOWNSHIPS = os.environ.get("GUANAI_LOAD_TOWNSHIPS", "990101001000").split(",")
    _next_account = iter(range(1, 10 ** 6))
    HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
    SESSIONS = {}
    if os.environ.get("GUANAI_LOAD_SESSIONS") and os.path.exists(os.environ["GUANAI_LOAD_SESSIONS"]):
        import json as _json

        SESSIONS = _json.load(open(os.environ["GUANAI_LOAD_SESSIONS"]))
    SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
    LOGIN_SHARE = 0.1  # the users who log in during the run; the others are signed in already

    def _hidden_fields(html: str) -> dict:
        """Every hidden input of a form page (the CSRF token, a one-time form token...)."""
        fields = {}
        for tag in HIDDEN.findall(html):
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
        return fields

    def _selected_fields(html: str) -> dict:
        """The option each select of a form page shows chosen (the period picker's year and part...)."""
        fields = {}
        for name, options in SELECT.findall(html):
            chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options) or re.search(r'<option value="([^"]*)"', options)
            if chosen:
                fields[name] = chosen.group(1)
        return fields

    class _Staff(HttpUser):
        abstract = True
        username = ""

        def on_start(self):
            self.client.verify = False  # deploy-local's self-signed certificate
            account = self.account()
            if account in SESSIONS and random.random() >= LOGIN_SHARE:
                self.client.cookies.set("sessionid", SESSIONS[account], domain="127.0.0.1")
                return
            page = self.client.get("/accounts/login/", name="login")
            data = {**_hidden_fields(page.text), "username": account, "password": PASSWORD}
            with self.client.post("/accounts/login/", data=data, name="login", allow_redirects=False,
                                  headers={"Referer": self.host + "/accounts/login/"}, catch_response=True) as r:
                if r.status_code != 302:
                    r.failure(f"login {r.status_code}")

        def account(self) -> str:
            return self.username

        def _post(self, path: str, data: dict, name: str):
            # As static/guanai/site.js does on submit: the form's one-time token in the address
            # too, so nginx may re-send the POST to the other web process if this one dies.
            url = f"{path}?form_token={data['form_token']}" if data.get("form_token") else path
            return self.client.post(url, data=data, name=name, allow_redirects=False,
                                    headers={"Referer": self.host + path}, catch_response=True)

    class VillageWorker(_Staff):
        """儿童主任 at month end: whom to visit, and the visits of the day with aid."""

        weight = 8
        wait_time = between(2, 6)

        def account(self) -> str:
            self.number = next(_next_account) % ACCOUNTS + 1
            return f"load-v{self.number:04d}"

        def on_start(self):
            super().on_start()
            self.recipients = []
            self.saved = 0

        @task(3)
        def due_list(self):
            page = self.client.get("/care/due/", name="due list")
            self.recipients = re.findall(r"/care/visits/create/\?person=(\d+)", page.text) or self.recipients
            if not self.recipients:
                listing = self.client.get("/persons/", name="person list")
                self.recipients = re.findall(r'href="/persons/(\d+)/"', listing.text)

        @task(2)
        def save_visit(self):
            if not self.recipients:
                return self.due_list()
            person = random.choice(self.recipients)
            form = self.client.get(f"/care/visits/create/?person={person}", name="visit form")
            self.saved += 1
            mark = f"月末压测{RUN}-{self.number}-{self.saved}-{random.randrange(10 ** 9)}"
            data = {**_hidden_fields(form.text), "person": person, "visit_date": "", "mode": "home",
                    "findings": f"入户走访，{mark}", "needs": "", "risk_level": "", "next_visit_on": "",
                    "other_visitors": "", "aid_kind": ["cash", "goods"], "aid_description": ["慰问金", "大米"],
                    "aid_quantity": ["", "2"], "aid_unit": ["", "袋"], "aid_value": ["300", "120"]}
            today = re.search(r'name="visit_date"[^>]*value="([^"]+)"', form.text)
            data["visit_date"] = today.group(1) if today else ""
            with self._post("/care/visits/create/", data, "visit save") as r:
                if r.status_code == 302 and "/care/visits/" in r.headers.get("Location", ""):
                    r.success()
                    ANSWERED.write(mark + "\n")
                else:
                    r.failure(f"visit not saved ({r.status_code})")

        @task(1)
        def person(self):
            if self.recipients:
                self.client.get(f"/persons/{random.choice(self.recipients)}/", name="person detail")

    class CountyStaff(_Staff):
        """县级工作人员: dashboards, coverage, searches and an export."""

        weight = 2
        wait_time = between(3, 8)
        username = "county"

        @task(3)
        def dashboard(self):
            self.client.get("/", name="dashboard")

        @task(2)
        def coverage(self):
            self.client.get("/care/coverage/", name="coverage")

        @task(2)
        def search(self):
            self.client.get(f"/persons/?q={random.choice('wlzhcy')}", name="person search")

        @task(1)
        def export(self):
            township = random.choice(TOWNSHIPS)
            self.client.get(f"/persons/export/?area={township}&category=left_behind_child", name="export")

    class Office(_Staff):
        """领导小组办公室 in briefing week: the dashboard and composing briefings."""

        weight = 1
        wait_time = between(5, 15)
        username = "office"

        @task(4)
        def dashboard(self):
            self.client.get("/", name="dashboard")

        @task(2)
        def briefings(self):
            self.client.get("/briefings/", name="briefing list")

        @task(1)
        def compose(self):
            form = self.client.get("/briefings/new/", name="briefing form")
            period = re.search(r'name="period"[^>]*value="([^"]+)"', form.text)
            # The period as the picker shows it chosen (period_year, period_part), or a typed code.
            data = {**_hidden_fields(form.text), **_selected_fields(form.text), "area": "990100000000", "kind": "jianbao"}
            if period:
                data["period"] = period.group(1)
            with self._post("/briefings/new/", data, "briefing compose") as r:
                asked = r.status_code == 200 and 'name="confirm_existing"' in r.text
                if r.status_code == 302:
                    r.success()
                elif asked:
                    # The demo has this quarter's city briefing published already: the page names it
                    # and asks to confirm before a second one (as it should). An office that means to
                    # compose anyway ticks the box and sends the form again: so does this user.
                    r.success()
                else:
                    r.failure(f"compose {r.status_code}")
            if asked:
                again = {**data, **_hidden_fields(r.text), "confirm_existing": "1"}
                with self._post("/briefings/new/", again, "briefing compose confirmed") as r:
                    if r.status_code == 302:
                        r.success()
                    else:
                        r.failure(f"compose confirmed {r.status_code}")

    class ApiClient(HttpUser):
        """Another system paging the county's persons through the REST API (a Bearer token,
        following "next" a few pages, as an incremental sync would)."""

        weight = 1
        wait_time = between(2, 6)

        def on_start(self):
            self.client.verify = False  # deploy-local's self-signed certificate
            # With an Idempotency-Key, as a careful client asks: nginx may then re-send it.
            answer = self.client.post("/api/v1/auth/token/", json={"username": "county", "password": PASSWORD},
                                      headers={"Idempotency-Key": uuid.uuid4().hex}, name="api token")
            self.token = answer.json().get("token", "") if answer.status_code == 200 else ""

        @task
        def page_persons(self):
            if not self.token:
                return self.on_start()
            headers = {"Authorization": f"Bearer {self.token}"}
            url = "/api/v1/persons/?page_size=100"
            for _ in range(5):
                answer = self.client.get(url, headers=headers, name="api persons page")
                if answer.status_code != 200:
                    break
                following = answer.json().get("next")
                if not following:
                    break
                url = following[following.index("/api/"):]  # the same host, whatever it calls itself


# ---------------------------------------------------------------------------------------
# The driver: accounts, deploy-local with one and two web processes, locust, counting.
# ---------------------------------------------------------------------------------------
if __name__ == "__main__":
    import argparse
    import csv
    import json
    import signal
    import subprocess
    import sys
    import time
    import urllib.request
    import ssl
    from pathlib import Path

    ROOT = Path(__file__).resolve().parent.parent
    PY = sys.executable
    SESSIONS = ROOT / "var" / "deploy" / "load-sessions.json"
    SETUP_ACCOUNTS = """
import django, random, sys
django.setup()
from django.contrib.auth.hashers import make_password
from guanai.accounts.models import User
from guanai.areas.models import Area
count = int(sys.argv[1])
# Village workers of villages spread over the whole province; one password hash for all.
villages = random.Random(19).sample(sorted(Area.objects.filter(level=5).values_list("code", flat=True)), count)
hashed = make_password("demo-guanai-2026")
# Made once and kept: deleting accounts would make PostgreSQL check every table that
# refers to users (the audit trail among them) at commit.
have = set(User.objects.filter(username__startswith="load-v").values_list("username", flat=True))
User.objects.bulk_create([User(username=f"load-v{i + 1:04d}", role="village", area_id=code, password=hashed,
                               last_name="压", first_name=f"测{i + 1}") for i, code in enumerate(villages)
                          if f"load-v{i + 1:04d}" not in have])
User.objects.filter(username__startswith="load-v").update(failed_logins=0, locked_until=None, is_active=True)
# Month end: most users are signed in already (a session lasts 12 hours). One session per
# account made here, without 600 Argon2 logins; a tenth of the simulated users log in.
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
sessions = {}
for user in User.objects.filter(username__in=[f"load-v{i + 1:04d}" for i in range(count)] + ["county", "office"]):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    sessions[user.username] = store.session_key
open(sys.argv[2], "w").write(json.dumps(sessions))
# Townships of the demo's county account (东城区), for its exports.
townships = Area.objects.filter(level=4, code__startswith="990101").values_list("code", flat=True)
print(len(villages), ",".join(sorted(townships)))
"""

    def psql(args, query: str) -> str:
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-d", args.db,
                               "-tAc", query], capture_output=True, text=True, check=True).stdout.strip()

    def deploy_env(args) -> dict:
        return {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/{args.db}",
                "GUANAI_HOME": str(ROOT), "DJANGO_SETTINGS_MODULE": "guanai.settings"}

    def start_deploy(args, web: int) -> subprocess.Popen:
        log = (ROOT / "var" / "deploy").joinpath(f"load-deploy-{web}.log").open("w")
        process = subprocess.Popen([PY, str(ROOT / "deploy" / "local.py"), "--web", str(web), "--demo", "none",
                                    "--db", args.db, "--pg-port", str(args.pg_port)],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        context = ssl._create_unverified_context()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{args.host}/healthz", timeout=3, context=context)
                return process
            except OSError:
                if process.poll() is not None:
                    sys.exit(f"deploy/local.py exited: see {log.name}")
                time.sleep(1)
        sys.exit("deploy-local did not come up")

    def stop_deploy(process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)

    def web_children(process: subprocess.Popen) -> list[int]:
        """PIDs of this deployment's waitress processes (deploy/local.py > guanai serve > server),
        found by walking its own process tree: nothing else on the machine is touched."""
        found, todo = [], [process.pid]
        while todo:
            pid = todo.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "guanai.ops.server" in cmdline:
                found.append(pid)
            todo.extend(int(c) for c in children)
        return found

    def run_locust(args, users: int, run: str, townships: str, kill=None) -> dict:
        prefix = ROOT / "var" / "deploy" / f"locust-{run}"
        env = {**os.environ, "GUANAI_LOAD_RUN": run, "GUANAI_LOAD_ACCOUNTS": str(args.accounts),
               "GUANAI_LOAD_TOWNSHIPS": townships, "GUANAI_LOAD_ANSWERED": f"{prefix}-answered.txt",
               "GUANAI_LOAD_SESSIONS": str(SESSIONS)}
        locust = subprocess.Popen([PY, "-m", "locust", "-f", str(Path(__file__).resolve()), "--headless",
                                   "-u", str(users), "-r", str(max(5, users // 10)), "-t", f"{args.seconds}s",
                                   "--host", args.host, "--csv", str(prefix), "--only-summary",
                                   "--stop-timeout", "60", "--loglevel", "WARNING"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=open(f"{prefix}.log", "w"))
        killed = None
        if kill is not None:
            time.sleep(args.seconds / 2)
            victims = kill()
            if victims:
                killed = victims[0]
                os.kill(killed, signal.SIGKILL)
        locust.wait()
        time.sleep(3)  # the last saves commit
        rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
        kinds = {}
        for row in rows:
            if row["Name"] == "Aggregated":
                continue
            kinds[row["Name"]] = {
                "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2), "median_ms": float(row["50%"] or 0),
                "p99_ms": float(row["99%"] or 0)}
        total = next(r for r in rows if r["Name"] == "Aggregated")
        answered = set(Path(f"{prefix}-answered.txt").read_text(encoding="utf-8").split())
        stored = [line for line in psql(args, f"SELECT findings FROM care_visit WHERE findings LIKE "
                                              f"'%月末压测{run}-%'").splitlines() if line]
        stored_marks = [m for line in stored for m in re.findall(r"月末压测\S+", line)]
        work = [k for name, k in kinds.items() if name != "login"]
        return {"users": users, "rps": round(float(total["Requests/s"]), 2),
                "work_rps": round(sum(k["rps"] for k in work), 2),
                "requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
                "median_ms": float(total["50%"] or 0), "p99_ms": float(total["99%"] or 0), "kinds": kinds,
                "visits_answered": len(answered), "visits_in_db": len(stored_marks),
                "visits_lost": len(answered - set(stored_marks)),
                "visits_doubled": len(stored_marks) - len(set(stored_marks)),
                "visits_saved_after_client_left": len(set(stored_marks) - answered),
                "killed_pid": killed}

    def report(title: str, result: dict) -> None:
        print(f"\n== {title}: {result['users']} users, {result['rps']} req/s ({result['work_rps']} without logins), "
              f"median {result['median_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
              f"{result['errors']} errors of {result['requests']}")
        for name, k in sorted(result["kinds"].items()):
            print(f"   {name:18} {k['requests']:6} req {k['rps']:7.2f}/s  median {k['median_ms']:6.0f} ms  "
                  f"p99 {k['p99_ms']:6.0f} ms  errors {k['errors']}")
        ok = not result["visits_lost"] and not result["visits_doubled"]
        print(f"   visits: {result['visits_answered']} answered as saved, {result['visits_in_db']} in the database, "
              f"{result['visits_lost']} lost, {result['visits_doubled']} doubled, "
              f"{result['visits_saved_after_client_left']} saved after the client gave up -> "
              f"{'none lost, none doubled' if ok else 'MISMATCH'}")

    def main() -> None:
        parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("--users", default="50,200,500")
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--web", default="1,2", help="numbers of web processes to compare")
        parser.add_argument("--accounts", type=int, default=600, help="village worker accounts to make")
        parser.add_argument("--db", default="guanai")
        parser.add_argument("--pg-port", type=int, default=5544)
        parser.add_argument("--host", default="https://127.0.0.1:8443")
        parser.add_argument("--kill-drill", action="store_true")
        args = parser.parse_args()
        if not args.host.startswith(("https://127.0.0.1", "http://127.0.0.1", "https://localhost")):
            sys.exit("load tests run against this machine only (127.0.0.1)")
        levels = [int(u) for u in args.users.split(",")]
        webs = [int(w) for w in args.web.split(",")]

        probe = start_deploy(args, 1)  # PostgreSQL up, migrated
        try:
            persons = int(psql(args, "SELECT count(*) FROM registry_person"))
            made = subprocess.run([PY, "-c", SETUP_ACCOUNTS, str(args.accounts), str(SESSIONS)], env=deploy_env(args),
                                  capture_output=True, text=True, check=True).stdout.split()
        finally:
            stop_deploy(probe)
        accounts, townships = int(made[0]), made[1]
        args.accounts = accounts
        print(f"database {args.db}: {persons} persons; {accounts} village worker accounts; "
              f"{args.seconds} s per run", flush=True)
        stamp = time.strftime("%H%M%S")
        results: dict[int, list[dict]] = {}
        drill = None
        for web in webs:
            deploy = start_deploy(args, web)
            try:
                results[web] = []
                for users in levels:
                    result = run_locust(args, users, f"{stamp}w{web}u{users}", townships)
                    report(f"{web} web process{'es' if web > 1 else ''}", result)
                    results[web].append(result)
                if args.kill_drill and web > 1:
                    drill = run_locust(args, levels[len(levels) // 2], f"{stamp}kill", townships,
                                       kill=lambda: web_children(deploy))
                    report(f"kill drill: one of {web} web processes SIGKILLed half-way (PID {drill['killed_pid']})",
                           drill)
            finally:
                stop_deploy(deploy)
        top = levels[-1]
        base = next(r for r in results[webs[0]] if r["users"] == top)["rps"]
        best = next(r for r in results[webs[-1]] if r["users"] == top)["rps"]
        summary = {
            "persons": persons, "seconds": args.seconds,
            "runs": {f"{w}web": [{k: v for k, v in r.items() if k != "kinds"} | {"kinds": r["kinds"]}
                                 for r in results[w]] for w in webs},
            "kill_drill": drill,
            "all_visits_exactly_once": all(not r["visits_lost"] and not r["visits_doubled"]
                                           for rs in [*results.values(), [drill] if drill else []] for r in rs),
            "errors": sum(r["errors"] for rs in results.values() for r in rs),
            "rps_one": base, "rps_two": best, "ratio": round(best / base, 3) if base else None,
        }
        print(json.dumps(summary, ensure_ascii=False))

    main()
