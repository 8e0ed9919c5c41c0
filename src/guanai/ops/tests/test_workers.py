"""Task workers as separate processes on one database (PostgreSQL when the suite runs
on it): two never run a job twice; a worker killed mid-job leaves nothing half-written
and its job is run again by another, once."""

import json
import signal
import subprocess
import sys
import time

import pytest

from guanai.ops.testing import guanai, home_env, persons_csv, scratch_database, sql

pytestmark = pytest.mark.django_db(transaction=False)

ENQUEUE = """
import sys
import django
django.setup()
import shutil
from guanai.accounts.models import User
from guanai.core import uploads
from guanai.core.jobs import start_job
from django.db import transaction
admin = User.objects.get(username="admin")
# All the jobs in one write: on SQLite, one job at a time had to win the write lock from two
# busy workers, and on a loaded machine lost it past the busy timeout ("database is locked").
with transaction.atomic():
    for path in sys.argv[1:]:  # python -c: argv[0] is "-c"
        # As the import page does: the worker reads a sealed copy kept under the storage folder.
        shutil.copy(path, path + ".upload.csv")
        kept = uploads.seal(path + ".upload.csv")
        start_job("import", "导入人员：" + path, admin, {"kind": "persons", "path": kept, "options": {}})
"""


@pytest.fixture(scope="module")
def worker_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("workers")
    with scratch_database(home, "workers") as url:
        guanai(home, "migrate", "--noinput", DATABASE_URL=url)
        guanai(home, "demo", DATABASE_URL=url)
        villages = [row[0] for row in sql(url, "SELECT code FROM areas_area WHERE level = 5")]
        yield home, url, villages


@pytest.fixture(autouse=True)
def no_leftover_jobs(worker_home):
    """The tests share one database: jobs a failed test left queued would be run by the next
    test's worker and put its counts off; they are closed after each test."""
    yield
    sql(worker_home[1], "UPDATE core_job SET status = 'failed' WHERE status IN ('pending', 'running')")


def _enqueue(home, url, paths):
    done = subprocess.run([sys.executable, "-c", ENQUEUE, *map(str, paths)],
                          env={**home_env(home, DATABASE_URL=url), "DJANGO_SETTINGS_MODULE": "guanai.settings"},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]  # why the jobs could not be queued
    return [row[0] for row in sql(url, "SELECT id FROM core_job ORDER BY id DESC LIMIT %s", (len(paths),))]


def _worker(home, url, **env):
    return subprocess.Popen([sys.executable, "-m", "guanai.cli", "worker", "--interval", "0.1", "--no-startup-delay"],
                            env=home_env(home, DATABASE_URL=url, **env), stdout=subprocess.DEVNULL,
                            stderr=(home / "worker.log").open("a"))


def _jobs(url, ids):
    marks = ",".join(str(i) for i in ids)
    return sql(url, f"SELECT id, status, attempts, worker, message, result FROM core_job WHERE id IN ({marks})")


def _wait_until(predicate, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def _persons(url):
    return sql(url, "SELECT count(*) FROM registry_person")[0][0]


def _stop(*workers):
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        assert worker.wait(timeout=15) == 0


def test_two_workers_on_one_queue_run_each_job_once(worker_home, tmp_path):
    home, url, villages = worker_home
    rows = persons_csv(tmp_path / "all.csv", 240, villages).read_text(encoding="utf-8").splitlines()
    paths = []
    for n in range(12):
        path = tmp_path / f"part{n}.csv"
        path.write_text("\n".join([rows[0], *rows[1 + n * 20: 1 + (n + 1) * 20]]) + "\n", encoding="utf-8")
        paths.append(path)
    before = _persons(url)
    audits_before = sql(url, "SELECT count(*) FROM audit_auditevent WHERE action = 'import'")[0][0]
    # Both workers up (each has beaten) before the jobs arrive: on a loaded machine one worker
    # could otherwise take the whole queue while the other is still starting.
    beats = sql(url, "SELECT count(*) FROM core_workerbeat")[0][0]
    # Each job lingers a moment in its transaction (a test hook): a fast worker cannot drain the
    # queue between two polls of the other.
    first, second = (_worker(home, url, GUANAI_TEST_PAUSE_IN_COMMIT="0.3"),
                     _worker(home, url, GUANAI_TEST_PAUSE_IN_COMMIT="0.3"))
    try:  # the workers are stopped whatever fails, never left running after the test
        _wait_until(lambda: sql(url, "SELECT count(*) FROM core_workerbeat")[0][0] >= beats + 2, timeout=120)
        ids = _enqueue(home, url, paths)
        _wait_until(lambda: all(row[1] in ("done", "failed") for row in _jobs(url, ids)))
    finally:
        _stop(first, second)
    jobs = _jobs(url, ids)
    assert {row[1] for row in jobs} == {"done"}
    assert {row[2] for row in jobs} == {1}  # each claimed exactly once
    assert len({row[3] for row in jobs}) == 2  # both workers took jobs
    assert _persons(url) - before == 240
    assert sql(url, "SELECT count(*) FROM audit_auditevent WHERE action = 'import'")[0][0] - audits_before == 12


# Big enough that the import is still writing when the test stops its worker, on a fast
# machine too (4,000 rows finished within half a second on CI's).
BIG_IMPORT = 40_000


def _import_under_way(worker_home, tmp_path, seed):
    """A big import a moment into its run by a fresh worker."""
    home, url, villages = worker_home
    path = persons_csv(tmp_path / "big.csv", BIG_IMPORT, villages, seed=seed)
    before = _persons(url)
    [job_id] = _enqueue(home, url, [path])
    worker = _worker(home, url)
    _wait_until(lambda: _jobs(url, [job_id])[0][1] == "running", timeout=60)
    time.sleep(0.3)
    return home, url, job_id, before, worker


def test_a_worker_killed_mid_job_leaves_nothing_half_written_and_the_job_runs_again_once(worker_home, tmp_path):
    home, url, job_id, before, doomed = _import_under_way(worker_home, tmp_path, seed=7)
    doomed.kill()  # SIGKILL: no clean-up of any kind
    doomed.wait()
    assert _jobs(url, [job_id])[0][1] == "running"
    assert _persons(url) == before  # the import's transaction died with it
    rescuer = _worker(home, url)
    try:
        _wait_until(lambda: _jobs(url, [job_id])[0][1] in ("done", "failed"))
    finally:
        _stop(rescuer)
    _id, status, attempts, _worker_id, message, result = _jobs(url, [job_id])[0]
    assert (status, attempts, message) == ("done", 2, "已完成")
    created = (result if isinstance(result, dict) else json.loads(result))["created"]
    assert created == BIG_IMPORT  # the first run wrote nothing: the second created them all
    assert _persons(url) - before == BIG_IMPORT


def test_sigterm_interrupts_the_job_in_hand_and_it_is_retried(worker_home, tmp_path):
    home, url, job_id, before, worker = _import_under_way(worker_home, tmp_path, seed=11)
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
    stopped_in = time.monotonic() - started
    _id, status, _attempts, _worker_id, message, _result = _jobs(url, [job_id])[0]
    # Interrupted in the middle: rolled back and queued again.
    assert status == "pending" and "后台任务进程停止" in message and "自动重试" in message, (status, message)
    assert _persons(url) == before
    second = _worker(home, url)
    try:
        _wait_until(lambda: _jobs(url, [job_id])[0][1] in ("done", "failed"))
    finally:
        _stop(second)
    assert _jobs(url, [job_id])[0][1] == "done" and _persons(url) - before == BIG_IMPORT
    assert stopped_in < 15
