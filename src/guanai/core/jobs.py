"""Starting long work in the background and reporting its progress."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.utils import timezone

from guanai.tasks import task

from .models import Job

logger = logging.getLogger(__name__)

# Job kinds map to plain functions (job, progress) -> result dict, registered by apps
# (in their AppConfig.ready, so the worker process knows them too).
_RUNNERS = {}


def runner(kind: str):
    def decorate(func):
        _RUNNERS[kind] = func
        return func

    return decorate


def start_job(kind: str, label: str, user, params: dict) -> Job:
    job = Job.objects.create(kind=kind, label=label, user=user, params=params)
    # Enqueue after commit so the worker never sees a job row that is not there yet.
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


class Progress:
    """Writes progress to the job row, at most about once a second."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, total: int | None, message: str) -> None:
        now = time.monotonic()
        if now - self._last < 1.0 and (total is None or done < total):
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk).update(done=done, total=total, message=message[:200])


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=Job.RUNNING)
    try:
        result = _RUNNERS[job.kind](job, Progress(job))
    except Exception as exc:  # the user sees a message; the log keeps the trace
        logger.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=Job.FAILED, finished_at=timezone.now(),
            message=f"处理失败：{exc}"[:200],
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=Job.DONE, finished_at=timezone.now(), result=result, message="已完成",
    )


@runner("import")
def _run_import(job: Job, progress: Progress) -> dict:
    from guanai.importing import importer_for

    importer = importer_for(job.params["kind"])
    result = importer(job.params["path"], user=job.user, dry_run=job.params.get("dry_run", False),
                      options=job.params.get("options") or {}, progress=progress)
    return result.as_json()
