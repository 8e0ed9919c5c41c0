"""Database housekeeping shared by bulk writers (demo, imports) and bulk readers (a refresh of the kept figures)."""

import contextlib
import functools
import queue
import re
import sqlite3
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connection, connections


# Text that can go between apostrophes as it is, on SQLite and PostgreSQL alike: no
# apostrophe, no percent sign (the drivers' parameter marker), no backslash, no control character.
_PLAIN_TEXT = re.compile(r"[^'%\\\x00-\x1f\x7f]*")


def sql_literal(value) -> str | None:
    """The SQL text of a constant written into a statement instead of bound (a bulk writer's
    value shared by every row: binding it once per row is most of an insert's cost), or None
    when it must be bound (datetime objects, bytes, text with quotes or % signs...)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _PLAIN_TEXT.fullmatch(value):
        return f"'{value}'"
    return None


def refresh_planner_statistics() -> None:
    """Let the query planner see the new row counts after a bulk load; without
    it SQLite may pick a low-selectivity index (status) over the area range. On PostgreSQL,
    outside a transaction (the end of a demo load), VACUUM as well: it marks the new rows' pages
    all-visible, so an index-only scan need not visit the table for each row (the province
    demo's slowest pages went over 100 ms without it). Autovacuum does it some time later, and
    never where it is off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


def prefix_q(field: str, prefix: str):
    """Q for ``field`` starting with ``prefix`` that an ordinary index can serve.

    PostgreSQL gets LIKE 'x%' (Django adds a pattern-ops index for indexed text
    columns); SQLite's LIKE ignores indexes, so there a half-open range is used.
    """
    from django.db.models import Q

    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})


def not_driving_an_index(field: str):
    """``field`` as an expression SQLite's planner will not pick an index for (``+column``).

    SQLite guesses every range equally selective: for a long list of a city ordered by date
    it walks the area index and sorts the whole city, where walking the date index newest
    first and testing the area stops after a page. PostgreSQL, which knows its data, gets the
    plain column."""
    from django.db.models import CharField, F, Func

    class _Unindexed(Func):
        template = "%(expressions)s"
        output_field = CharField()

        def as_sqlite(self, compiler, connection, **extra):
            return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)

    return _Unindexed(F(field))


def insert_many(cursor, head: str, row: str, rows: list[tuple], *, most: int = 250) -> None:
    """INSERT ``rows`` in multi-row statements, as many rows per statement as the database's
    limit on parameters allows (at most ``most``): ``head`` is "INSERT INTO t (a, b) VALUES ",
    ``row`` one row's "(%s, %s)" (constants may be written into it). The per-statement work of
    the database is done once for many rows, not once per row as with executemany: about a
    third less CPU on SQLite for a bulk writer's 200,000 rows (the importer's). Inside
    ``inserts_in_background`` the statements are queued for its thread instead."""
    if not rows:
        return
    width = max(len(rows[0]), 1)
    size = max(1, min(most, _max_query_params() // width))
    pipe = _background.get()
    if pipe is not None:
        pipe.queue(_statements(pipe.convert(head), pipe.convert(row), rows, size))
        return
    convert, execute = _driver_statements(cursor.cursor) if connection.vendor == "sqlite" else (str, cursor.execute)
    with connection.wrap_database_errors:  # Django's exceptions, as from its own cursor
        for sql, params in _statements(convert(head), convert(row), rows, size):
            execute(sql, params)


def _driver_statements(sqlite_cursor):
    """(convert, execute) for statements run on Django's SQLite cursor by the driver itself:
    Django's cursor rewrites every statement's %s into ? with a regular expression, which for a
    bulk writer's long statements costs more than the insert; ``convert`` rewrites a statement
    shape once, ``execute`` runs on the same connection, in the same transaction."""
    return sqlite_cursor.convert_query, functools.partial(sqlite3.Cursor.execute, sqlite_cursor)


def _statements(head: str, row: str, rows: list[tuple], size: int):
    """(statement, parameters) of ``size`` rows each, the last one shorter."""
    full = head + ", ".join([row] * size)
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        yield (full if len(chunk) == size else head + ", ".join([row] * len(chunk)),
               [value for values in chunk for value in values])


def read_in_threads(calls: list[Callable[[], object]], threads: int) -> list:
    """The results of ``calls`` (reads only), in their order, run by up to ``threads`` threads,
    each on a connection of its own: the database runs their queries on as many cores (the
    grouped counts of a refresh) while Python waits. In a transaction, or given one thread, they
    run here one after another: another connection would not see the transaction's own writes."""
    if threads <= 1 or len(calls) <= 1 or connection.in_atomic_block:
        return [call() for call in calls]

    def run(call):
        try:
            return call()
        finally:
            connections.close_all()  # this thread's own connections

    with ThreadPoolExecutor(max_workers=min(threads, len(calls)), thread_name_prefix="guanai-read") as pool:
        return list(pool.map(run, calls))


_background: ContextVar["_InsertThread | None"] = ContextVar("background_inserts", default=None)

# How long a thread runs Python before another waiting for the interpreter's lock gets it, inside
# ``inserts_in_background``: the default 5 ms made the inserting thread wait that long after every
# statement (the database works without the lock, Python's side of a statement needs it), so
# its queue filled and the caller waited on it.
_SWITCH_INTERVAL = 0.0005


@contextlib.contextmanager
def inserts_in_background():
    """Inside the block, ``insert_many`` hands its statements to a thread of their own, which runs
    them one after another on this connection, in its transaction, while the caller goes on
    preparing the next rows: SQLite and psycopg run a statement without holding Python's lock, so
    the database's work on one batch and Python's on the next use two cores (an import's
    validation and its inserts). Any other statement of this connection (a lookup, an ORM write)
    first waits for the queued ones, so it sees them and runs in its order; an error of a queued
    statement is raised at the next statement, the next insert or the block's end, and nothing
    queued after it runs. The block must end before the transaction does."""
    if connection.vendor not in ("sqlite", "postgresql") or _background.get() is not None:
        yield
        return
    wrapper = connections[DEFAULT_DB_ALIAS]  # this thread's connection itself, not the proxy
    wrapper.ensure_connection()
    pipe = _InsertThread(wrapper)
    token = _background.set(pipe)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_INTERVAL))
    try:
        with wrapper.execute_wrapper(pipe.before_statement):
            yield
            pipe.wait()
    except BaseException:
        pipe.skip = True  # what is still queued would only be rolled back
        raise
    finally:
        sys.setswitchinterval(interval)
        _background.reset(token)
        pipe.close()


class _InsertThread:
    """The thread of ``inserts_in_background``: statements in a bounded queue (at most a few
    hundred thousand values wait in memory), run in order until the first error."""

    def __init__(self, wrapper):
        self.wrapper = wrapper
        # Django's SQLite connection may be used from another thread (check_same_thread=False) and
        # psycopg's serializes its users; the thread has a cursor of its own.
        if wrapper.vendor == "sqlite":
            from django.db.backends.sqlite3.base import SQLiteCursorWrapper

            self.cursor = wrapper.connection.cursor(factory=SQLiteCursorWrapper)
            self.convert, self.execute = _driver_statements(self.cursor)
        else:
            self.cursor = wrapper.connection.cursor()
            self.convert, self.execute = str, self.cursor.execute
        self.statements: queue.Queue = queue.Queue(maxsize=64)
        self.error: BaseException | None = None
        self.skip = False
        self.thread = threading.Thread(target=self._run, name="inserts_in_background", daemon=True)
        self.thread.start()

    def queue(self, statements) -> None:
        if self.error is not None:
            raise self.error
        for statement in statements:
            self.statements.put(statement)

    def _run(self) -> None:
        while True:
            item = self.statements.get()
            try:
                if item is None:
                    return
                if self.error is None and not self.skip:
                    with self.wrapper.wrap_database_errors:  # Django's exceptions, as from its cursor
                        self.execute(*item)
            except BaseException as exc:  # kept for the caller's thread, which raises it
                self.error = exc
            finally:
                self.statements.task_done()

    def before_statement(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)

    def wait(self) -> None:
        """Until every queued statement has run; then raise the first error, if any (again at
        every later wait: the statements after it did not run)."""
        self.statements.join()
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.statements.put(None)
        self.thread.join()
        self.cursor.close()


def _max_query_params() -> int:
    if connection.vendor == "sqlite":
        raw = connection.connection
        if raw is not None and hasattr(raw, "getlimit"):  # Python 3.11+: the library's own limit
            return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def upsert_rows(model, columns: list[str], unique: list[str], rows: list[tuple]) -> None:
    """INSERT ... ON CONFLICT (unique) DO UPDATE, in batches, on SQLite and PostgreSQL alike: a
    refresh of kept figures writes tens of thousands of rows (a province: hundreds of thousands),
    which ``bulk_create`` would first build as model instances and prepare field by field."""
    if not rows:
        return
    table, quote = model._meta.db_table, connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in unique)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = f"ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column (unnest): four parameters a batch, not four per row, which the
            # driver would otherwise find one by one in the statement's text (most of a
            # province's refresh).
            arrays = ", ".join(f"%s::{model._meta.get_field(c).db_type(connection)}[]" for c in columns)
            for start in range(0, len(rows), 50_000):
                batch = rows[start:start + 50_000]
                cursor.execute(f"INSERT INTO {quote(table)} ({names}) SELECT * FROM unnest({arrays}) {conflict}",
                               [list(column) for column in zip(*batch)])
            return
        step = connection.features.max_query_params // len(columns) if connection.features.max_query_params else 2000
        step = min(step, 2000)
        for start in range(0, len(rows), step):
            batch = rows[start:start + step]
            cursor.execute(f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([one] * len(batch))} {conflict}",
                           [value for row in batch for value in row])


def raw_rows(rows) -> list[tuple]:
    """The rows of a ``values_list`` query as the driver returns them, without Django's conversion
    of each value (on SQLite a decimal comes back as a float or an int): a full refresh reads a
    province's two million kept rows to compare them, and converting them took half that time."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def delete_rows(rows) -> None:
    """Delete derived rows (kept figures, kept duplicate groups) in one DELETE statement.
    ``QuerySet.delete()`` would fetch every row and send a signal per row (the audit trail's safety
    net then records each as a deleted record: 35,000 audit events and two minutes for one refresh
    of a city). Derived rows come from records that are audited themselves; nothing refers to them."""
    rows = rows.order_by()
    rows._raw_delete(rows.db)


def sqlite_secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-unique secondary indexes of ``tables`` on SQLite: the
    ones a bulk load may drop and build again at its end (one sort each instead of a B-tree
    insertion per row), unique ones staying to keep their rows unique."""
    marks = ", ".join(["%s"] * len(tables))
    cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
                   "AND sql IS NOT NULL", tables)
    return [(name, sql) for name, sql in cursor.fetchall() if not sql.upper().startswith("CREATE UNIQUE")]
