"""Job progress that other connections can read at once.

A long job's work often runs in one transaction (an import commits all or nothing), so
progress written on the job's own connection would stay invisible until the end. It is
written instead where the job page reads it at once:

- PostgreSQL: on a second connection of the job's own (autocommit), to the job row;
- SQLite: the job's transaction holds the database's only write lock, so a second
  connection could not write; progress goes to a small side file beside the database
  (``<database>.progress``, its own lock), which ``current`` reads for the job page;
- an SQLite database in memory (the unit tests): on the job's connection, as before.

Progress is a hint: a write that fails is logged and dropped, never fails the job.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections

from .models import Job

logger = logging.getLogger(__name__)

KEEP_SECONDS = 86_400  # side-file rows older than this are dropped


def side_file() -> Path | None:
    """The SQLite side file for progress, or None when the database is not an SQLite file."""
    db = settings.DATABASES["default"]
    name = str(db.get("NAME") or "")
    if db["ENGINE"] != "django.db.backends.sqlite3" or not name or "memory" in name or name.startswith("file:"):
        return None
    return Path(name + ".progress")


def _open_side(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=2, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS progress (job_id INTEGER PRIMARY KEY, done INTEGER, "
                 "total INTEGER, message TEXT, at REAL)")
    return conn


class ProgressWriter:
    """Writes one job's progress on its own connection; ``close`` when the job ends."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._side: sqlite3.Connection | None = None
        self._pg = None
        self._path = side_file()
        self._vendor = connections["default"].vendor

    def write(self, done: int, total: int | None, message: str) -> None:
        try:
            if self._path is not None:
                self._write_side(done, total, message)
            elif self._vendor == "postgresql":
                self._write_pg(done, total, message)
            else:
                Job.objects.filter(pk=self.job_id).update(done=done, total=total, message=message)
        except (DatabaseError, sqlite3.Error) as exc:
            logger.warning("progress of job %s not written: %s", self.job_id, exc)

    def _write_side(self, done, total, message) -> None:
        if self._side is None:
            self._side = _open_side(self._path)
            self._side.execute("DELETE FROM progress WHERE at < ?", (time.time() - KEEP_SECONDS,))
        self._side.execute("INSERT OR REPLACE INTO progress (job_id, done, total, message, at) VALUES (?, ?, ?, ?, ?)",
                           (self.job_id, done, total, message, time.time()))

    def _write_pg(self, done, total, message) -> None:
        if self._pg is None:
            self._pg = connections.create_connection("default")  # not the job's: autocommit, its own
            with self._pg.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")  # never wait long behind the job's own locks
        table = self._pg.ops.quote_name(Job._meta.db_table)
        with self._pg.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET done = %s, total = %s, message = %s WHERE id = %s",
                           [done, total, message, self.job_id])

    def close(self) -> None:
        if self._side is not None:
            with contextlib.suppress(sqlite3.Error):
                self._side.execute("DELETE FROM progress WHERE job_id = ?", (self.job_id,))
            self._side.close()
            self._side = None
        if self._pg is not None:
            self._pg.close()
            self._pg = None


def current(job: Job) -> Job:
    """The job with its latest progress (from the side file on SQLite) while it runs."""
    path = side_file()
    if path is None or job.finished or not path.exists():
        return job
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as conn:
            row = conn.execute("SELECT done, total, message FROM progress WHERE job_id = ?", (job.pk,)).fetchone()
    except sqlite3.Error:
        return job
    if row is not None:
        job.done, job.total, job.message = row
    return job
