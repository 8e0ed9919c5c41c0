"""Starting long work in the background, reporting its progress, and making sure it
runs once: claimed by one worker, retried when its worker died or the database went
away (for kinds that are safe to run again), otherwise failed with a Chinese message."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import time
from contextvars import ContextVar
from datetime import timedelta

from django.db import close_old_connections, transaction
from django.db.models import F
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone

from guanai.importing import ImportResult, RowError, error_workbook_builder, importer_for
from guanai.tasks import task

from . import uploads
from .models import Job, WorkerBeat
from .progress import ProgressWriter

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A worker on another machine counts as dead when it has not written for this long.
BEAT_SECONDS = 5
DEAD_AFTER_SECONDS = 60

# Job kinds map to plain functions (job, progress) -> result dict, registered by apps
# (in their AppConfig.ready, so the worker process knows them too).
_RUNNERS = {}
# Kinds whose work is all-or-nothing and idempotent, so running again after an
# interruption cannot write anything twice.
_RETRY_SAFE: set[str] = set()


class WorkerStopping(Exception):
    """The worker was told to stop in the middle of a job."""


class JobOverLimit(Exception):
    """A job ran past GUANAI_JOB_TIMEOUT (ops.worker raises it)."""


_current_worker = ""
_stopping = False
# The job being run in this thread: its work is recorded as done by the user who started it.
_current_job: ContextVar = ContextVar("guanai_current_job", default=None)


def job_user():
    """The user who started the job this worker is running, or None (no job, or the CLI)."""
    job = _current_job.get()
    return job.user if job is not None and job.user_id else None


def _no_limits() -> type[BaseException] | None:
    return None


# Which limit's exception (ops.limits) was sent to the current thread's job, if any; the
# worker installs the probe (core cannot import ops).
_limit_sent = _no_limits


def watch_limits(probe) -> None:
    global _limit_sent
    _limit_sent = probe


def refuse_if_limited() -> None:
    """Raise the limit's exception if the worker's watchdog sent one to this job and library
    code with a broad ``except`` swallowed it. A job calls it inside its own transaction just
    before that commits (the import does), so nothing partial is kept; run_job calls it after
    the job, so the job is never recorded as done. Not a whole-job transaction: on SQLite
    (BEGIN IMMEDIATE) that would hold the write lock for all of a job's reading too."""
    fired = _limit_sent()
    if fired is not None:
        raise fired()


def set_current_worker(worker_id: str) -> None:
    global _current_worker
    _current_worker = worker_id


def stop_requested() -> None:
    """The worker was told to stop: an error in the job from now on is that, not the database
    (SQLite turns an exception raised inside its progress handler into 'interrupted')."""
    global _stopping
    _stopping = True


def runner(kind: str, *, retry_safe: bool = False):
    def decorate(func):
        _RUNNERS[kind] = func
        if retry_safe:
            _RETRY_SAFE.add(kind)
        return func

    return decorate


def start_job(kind: str, label: str, user, params: dict) -> Job:
    uploads.purge_expired()  # what earlier jobs left past its time
    job = Job.objects.create(kind=kind, label=label, user=user, params=params)
    # Enqueue after commit so the worker never sees a job row that is not there yet.
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


class Progress:
    """Writes progress at most about twice a second, where the job page reads it at once
    even while the job's own transaction is open (core.progress)."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0
        self._writer = ProgressWriter(job.pk)

    def __call__(self, done: int, total: int | None, message: str) -> None:
        now = time.monotonic()
        if now - self._last < 0.5 and (total is None or done < total):
            return
        self._last = now
        self._writer.write(done, total, message[:200])

    def close(self) -> None:
        self._writer.close()


def _persist(write, *, patience: float = 600.0) -> None:
    """Run a small write, waiting for the database to come back if it went away."""
    deadline = time.monotonic() + patience
    while True:
        try:
            write()
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            close_old_connections()
            time.sleep(2)


def _interrupted(job_id: int, kind: str, attempts: int, why: str) -> None:
    """The job did not finish and wrote nothing (its work is one transaction): run it
    again if that is safe and it has tries left, else mark it failed."""
    if kind in _RETRY_SAFE and attempts < MAX_ATTEMPTS:
        def retry():
            with transaction.atomic():
                if Job.objects.filter(pk=job_id, status=Job.RUNNING).update(
                        status=Job.PENDING, worker="", message=f"{why}，将自动重试（第{attempts + 1}次）"[:200]):
                    transaction.on_commit(lambda: _enqueue_later(job_id, 3 * attempts))
        _persist(retry)
    else:
        _persist(lambda: Job.objects.filter(pk=job_id, status=Job.RUNNING).update(
            status=Job.FAILED, finished_at=timezone.now(),
            message=f"{why}，任务未完成，未保存任何内容，请重新提交"[:200]))


def _enqueue_later(job_id: int, seconds: int) -> None:
    if run_job.get_backend().supports_defer:
        run_job.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue(job_id)
    else:
        run_job.enqueue(job_id)


def _failure_message(exc: Exception) -> str:
    from django.conf import settings

    if isinstance(exc, MemoryError):
        return f"处理失败：所需内存超过后台任务的上限（{settings.GUANAI_WORKER_MEMORY_MB} MB），未保存任何内容"
    if isinstance(exc, JobOverLimit):
        return f"处理失败：处理时间超过上限（{int(settings.GUANAI_JOB_TIMEOUT)} 秒），未保存任何内容"
    return f"处理失败：{exc}"


def _run_as_its_user(job: Job, progress: Progress) -> dict:
    token = _current_job.set(job)
    try:
        return _RUNNERS[job.kind](job, progress)
    finally:
        _current_job.reset(token)


@task()
def run_job(job_id: int) -> None:
    # The claim: only the worker whose update turns 'pending' into 'running' runs it.
    claimed = Job.objects.filter(pk=job_id, status=Job.PENDING).update(
        status=Job.RUNNING, attempts=F("attempts") + 1, worker=_current_worker)
    if not claimed:
        logger.warning("job %s is not pending: not run again", job_id)
        return
    job = Job.objects.select_related("user").get(pk=job_id)
    progress = Progress(job)
    try:
        result = _run_as_its_user(job, progress)
        refuse_if_limited()  # a result made after a swallowed limit is not accepted as done
    except WorkerStopping:
        _interrupted(job_id, job.kind, job.attempts, "后台任务进程停止")
        raise
    except (OperationalError, InterfaceError) as exc:
        if _stopping:
            _interrupted(job_id, job.kind, job.attempts, "后台任务进程停止")
            raise WorkerStopping() from exc
        logger.warning("job %s: database error %s", job_id, exc)
        _interrupted(job_id, job.kind, job.attempts, "数据库连接中断")
        return
    except Exception as exc:  # the user sees a message; the log keeps the trace
        logger.exception("job %s failed", job_id)
        message = _failure_message(exc)[:200]
        _persist(lambda: Job.objects.filter(pk=job_id).update(
            status=Job.FAILED, finished_at=timezone.now(), message=message))
        return
    finally:
        progress.close()
    _persist(lambda: Job.objects.filter(pk=job_id).update(
        status=Job.DONE, finished_at=timezone.now(), result=result, message="已完成"))


def _this_host() -> str:
    return socket.gethostname()


def beat(worker_id: str) -> None:
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={
        "host": _this_host(), "pid": os.getpid(), "seen_at": timezone.now()})


def worker_alive(worker_id: str) -> bool:
    row = WorkerBeat.objects.filter(worker_id=worker_id).first()
    if row is None:
        return False
    if row.host == _this_host():
        try:
            os.kill(row.pid, 0)  # a process of this machine: ask the kernel
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return row.seen_at > timezone.now() - timedelta(seconds=DEAD_AFTER_SECONDS * 10)
    return row.seen_at > timezone.now() - timedelta(seconds=DEAD_AFTER_SECONDS)


def reap_orphans() -> int:
    """Jobs (and tasks) left 'running' by a worker that died: retry or fail each once."""
    from django_tasks_db.models import DBTaskResult

    reaped = 0
    for job in Job.objects.filter(status=Job.RUNNING).exclude(worker=""):
        if worker_alive(job.worker):
            continue
        _interrupted(job.pk, job.kind, job.attempts, "后台任务进程意外退出")
        reaped += 1
    run_job_path = run_job.module_path
    for result in DBTaskResult.objects.running():
        if result.worker_ids and not worker_alive(result.worker_ids[-1]):
            # The job rows were handled above; other tasks (tally refreshes) are
            # idempotent, so they simply run again.
            status = "FAILED" if result.task_path == run_job_path else "READY"
            DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(status=status)
    WorkerBeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return reaped


@runner("import", retry_safe=True)
def _run_import(job: Job, progress: Progress) -> dict:
    """Run an importer on the kept upload. A preview (dry run) keeps the upload for the commit
    that may follow; the commit, or an import without preview, is its last use and deletes it
    (unless it is interrupted and will be retried: uploads.purge_expired removes what is left).
    Rows with errors go to an error workbook built here, sealed, kept for ``uploads.KEEP``."""
    kind, path, dry_run = job.params["kind"], job.params["path"], job.params.get("dry_run", False)
    importer = importer_for(kind)
    if not uploads.exists(path):
        gone = ImportResult(errors=[RowError(0, "", "上传的文件已不存在（未确认的文件保留1天），请重新上传")])
        return gone.as_json()
    try:
        with uploads.opened(path) as plain:
            result = importer(plain, user=job.user, dry_run=dry_run, options=job.params.get("options") or {},
                              progress=progress)
            data = result.as_json()
            builder = error_workbook_builder(kind)
            if builder is not None and any(error.row for error in result.errors):
                progress(result.created, None, "正在生成错误清单")
                handle = tempfile.NamedTemporaryFile(prefix="guanai-", suffix=".xlsx", delete=False)
                handle.close()
                data["error_workbook"] = uploads.seal(builder(plain, result.errors, handle.name))
                data["error_workbook_expires"] = uploads.expiry().isoformat()
    except (WorkerStopping, OperationalError, InterfaceError):
        raise  # kept for the retry
    except Exception:
        if not dry_run:
            uploads.discard(path)
        raise
    if not dry_run:
        uploads.discard(path)
    return data
