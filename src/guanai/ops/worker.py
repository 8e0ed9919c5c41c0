"""The task worker (`guanai worker`): django-tasks-db's worker, made to survive.

- its jobs are claimed once (core.jobs.run_job) and bounded: GUANAI_JOB_TIMEOUT
  seconds, GUANAI_WORKER_MEMORY_MB of memory, each failing the job with a Chinese message;
- it writes a heartbeat, and finds jobs whose worker died (core.jobs.reap_orphans);
- the database going away makes it wait and carry on, not exit;
- SIGTERM interrupts the job in hand (it rolls back and is retried or failed) and exits.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands.db_worker import Worker as DbWorker

from guanai.core import jobs

from . import limits

logger = logging.getLogger(__name__)

REAP_EVERY_SECONDS = 15
SQLITE_YIELD_SECONDS = 0.25  # longer than the busy handler's longest sleep (100 ms)


class Worker(DbWorker):
    def shutdown(self, signum, frame) -> None:
        self.running = False
        jobs.stop_requested()
        if self.running_task:
            raise jobs.WorkerStopping()  # in the job's frame: its transaction rolls back
        raise SystemExit(0)

    def run_task(self, db_task_result) -> None:
        limits.work_started(settings.GUANAI_JOB_TIMEOUT, timeout_exc=jobs.JobOverLimit)
        try:
            super().run_task(db_task_result)
        finally:
            limits.work_finished()
        if connection.vendor == "sqlite":
            # SQLite's busy handler is no queue: a worker that claims its next job at once takes
            # the write lock again before a waiting writer (a visit being saved, the other
            # worker) wakes from its sleep, which then runs out its busy_timeout. Let it in.
            time.sleep(SQLITE_YIELD_SECONDS)
        if limits.recycle_requested.is_set():
            logger.warning("memory stays above the ceiling after a job: exiting for a fresh worker")
            self.running = False

    def _beat_forever(self) -> None:
        last_reap = 0.0
        while True:
            try:
                jobs.beat(self.worker_id)
                if time.monotonic() - last_reap > REAP_EVERY_SECONDS:
                    last_reap = time.monotonic()
                    reaped = jobs.reap_orphans()
                    if reaped:
                        logger.warning("reaped %d job(s) of dead workers", reaped)
            except Exception:  # the database may be down or locked: next beat
                logger.warning("heartbeat failed", exc_info=True)
                connection.close()
            time.sleep(jobs.BEAT_SECONDS)

    def run(self) -> None:
        limits.start_watchdog(settings.GUANAI_WORKER_MEMORY_MB)
        jobs.watch_limits(limits.sent_to_current)
        jobs.set_current_worker(self.worker_id)
        # Beat once before claiming anything: another worker starting at the same moment
        # reaps jobs whose worker has no heartbeat row, and would take this one's first job.
        try:
            jobs.beat(self.worker_id)
        except Exception:
            logger.warning("first heartbeat failed", exc_info=True)
            connection.close()
        threading.Thread(target=self._beat_forever, name="guanai-worker-beat", daemon=True).start()
        while self.running:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                # The database restarted or is unreachable: wait for it rather than die.
                logger.warning("database unavailable (%s); retrying in 2 s", exc)
                close_old_connections()
                connection.close()
                time.sleep(2)
