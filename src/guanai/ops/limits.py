"""Bounds on one request (or job) and on the processes that run them.

One watchdog thread per process checks, ten times a second:
- time: a request past GUANAI_REQUEST_TIMEOUT gets ``RequestTimeLimit`` raised in its
  thread (a database query is interrupted by the database itself: SQLite's progress
  handler, PostgreSQL's statement_timeout set by `guanai serve`);
- memory: when the process's resident size passes its ceiling (GUANAI_SERVE_MEMORY_MB,
  GUANAI_WORKER_MEMORY_MB), the requests that have run longest get ``MemoryError``.
The request then ends with the Chinese 503 page (``ops.views.server_error``), a job with
a Chinese message. If the memory stays above the ceiling once they are gone, the
process asks to be recycled (``recycle_requested``): it stops taking work and exits,
and its supervisor starts a fresh one; the listening socket keeps waiting connections.

No setrlimit: C libraries (Pango, Cairo) abort the whole process when an allocation
fails, where Python code raises an exception that one request can absorb.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time

from django.conf import settings
from django.db.backends.signals import connection_created

PAGE = os.sysconf("SC_PAGE_SIZE")
HEAVY_AFTER_SECONDS = 0.3  # requests younger than this are not blamed for memory
# Nor are requests that have not grown the process by this much since they began: on a slow
# machine a small page may run past HEAVY_AFTER_SECONDS in a process still over its ceiling
# from an earlier heavy request, and must be answered while the process hands over.
GROWN_MB = 20


class RequestTimeLimit(Exception):
    """The request ran past GUANAI_REQUEST_TIMEOUT."""


_lock = threading.Lock()
# thread id -> [started, deadline or None, last time an exception was sent or 0, the time
#               limit's exception type, resident MB when it started, the type last sent or None]
_running: dict[int, list] = {}
_watchdog: threading.Thread | None = None
_memory_mb = 0
recycle_requested = threading.Event()


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / (1024 * 1024)


def _async_raise(thread_id: int, exc_type) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc_type) if exc_type else None)


def _watch() -> None:
    over_since = None
    while True:
        time.sleep(0.1)
        now = time.monotonic()
        resident = resident_mb() if _memory_mb else 0.0
        over = bool(_memory_mb) and resident > _memory_mb
        with _lock:
            def blamed(entry) -> bool:
                return now - entry[0] > HEAVY_AFTER_SECONDS and resident - entry[4] > GROWN_MB

            for thread_id, entry in _running.items():
                started, deadline, sent, timeout_exc, _at_start, _sent_type = entry
                # Sent again each second in case a broad ``except`` swallowed it.
                if now - sent < 1.0:
                    continue
                if deadline is not None and now > deadline:
                    entry[2], entry[5] = now, timeout_exc
                    _async_raise(thread_id, timeout_exc)
                elif over and blamed(entry):
                    entry[2], entry[5] = now, MemoryError
                    _async_raise(thread_id, MemoryError)
            heavy = any(blamed(e) for e in _running.values())
        # Still too big with nothing heavy running: memory the allocator keeps; start afresh.
        over_since = (over_since or now) if over and not heavy else None
        if over_since and now - over_since > 1.0:
            recycle_requested.set()


def start_watchdog(memory_mb: int = 0) -> None:
    """Watch this process: memory ceiling in MB (0: none); deadlines come per request."""
    global _watchdog, _memory_mb
    _memory_mb = memory_mb
    with _lock:
        if _watchdog is None:
            _watchdog = threading.Thread(target=_watch, name="guanai-watchdog", daemon=True)
            _watchdog.start()


def work_started(seconds: float = 0, timeout_exc: type[Exception] = RequestTimeLimit) -> None:
    """The current thread starts a request (or job) allowed ``seconds`` (0: no limit),
    after which ``timeout_exc`` is raised in it."""
    now = time.monotonic()
    if seconds > 0 and _watchdog is None:
        start_watchdog(_memory_mb)
    with _lock:
        _running[threading.get_ident()] = [now, now + seconds if seconds > 0 else None, 0.0, timeout_exc,
                                           resident_mb() if _memory_mb else 0.0, None]


def sent_to_current() -> type[BaseException] | None:
    """The limit's exception type sent to the current thread's work so far, or None."""
    with _lock:
        entry = _running.get(threading.get_ident())
        return entry[5] if entry is not None else None


def _finish(thread_id: int) -> type[BaseException] | None:
    with _lock:
        entry = _running.pop(thread_id, None)
        if entry is not None and entry[2]:
            _async_raise(thread_id, None)  # drop an exception not yet delivered
        return entry[5] if entry is not None else None


def work_finished() -> type[BaseException] | None:
    """The current thread's request (or job) is over: no exception will be sent to it
    any more. One sent just before may arrive while we get here: then go again.

    Returns the limit's exception type if one was sent to this work (None otherwise):
    library code with a broad ``except`` (WeasyPrint loading a font or an image) may have
    swallowed it and carried on, so the work's result cannot be trusted to be whole."""
    thread_id = threading.get_ident()
    while True:
        try:
            return _finish(thread_id)
        except Exception:  # noqa: BLE001 - the limit's exception, arriving late
            continue


def past_deadline() -> bool:
    """Whether the current thread's request has run out of time (an interrupted query)."""
    entry = _running.get(threading.get_ident())
    return entry is not None and entry[1] is not None and time.monotonic() > entry[1]


def _sqlite_progress() -> int:
    # Non-zero makes SQLite abort the running statement ("interrupted").
    return 1 if past_deadline() else 0


def _on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(_sqlite_progress, 100_000)


def install_database_hooks() -> None:
    connection_created.connect(_on_connection, dispatch_uid="guanai-request-deadline")


def is_over_limit(exc: BaseException | None) -> bool:
    return isinstance(exc, (RequestTimeLimit, MemoryError)) or (exc is not None and past_deadline())


def request_timeout() -> float:
    return float(getattr(settings, "GUANAI_REQUEST_TIMEOUT", 0) or 0)
