"""Bulk inserts run on a thread of their own (core.db.inserts_in_background): in order, seen by the
next statement, and an error or a failed block leaves nothing half-written."""

import sys
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from guanai.core.db import insert_many, inserts_in_background, read_in_threads, refresh_planner_statistics

pytestmark = pytest.mark.django_db

HEAD = "INSERT INTO bulk_probe (id, name) VALUES "
ROW = "(%s, %s)"


@pytest.fixture
def probe_table():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bulk_probe (id INTEGER PRIMARY KEY, name VARCHAR(20) UNIQUE)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bulk_probe")


def _count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bulk_probe")
        return cursor.fetchone()[0]


def _insert(rows):
    with connection.cursor() as cursor:
        insert_many(cursor, HEAD, ROW, rows)


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "inserts_in_background"]


def test_queued_inserts_are_seen_by_the_next_statement_and_kept(probe_table):
    interval = sys.getswitchinterval()
    with transaction.atomic(), inserts_in_background():
        assert _threads() == ["inserts_in_background"]
        _insert([(i, f"name{i}") for i in range(1, 3001)])
        assert _count() == 3000  # the read waits for the queued statements
        _insert([(i, f"name{i}") for i in range(3001, 3101)])
    assert _count() == 3100
    assert _threads() == []
    assert sys.getswitchinterval() == interval  # given back


def test_an_error_of_a_queued_insert_is_raised_and_the_transaction_keeps_nothing(probe_table):
    with pytest.raises(IntegrityError):
        with transaction.atomic(), inserts_in_background():
            _insert([(i, f"name{i}") for i in range(1, 1001)])
            _insert([(2000, "name5")])  # the same name again: refused by the database
            _insert([(i, f"later{i}") for i in range(3000, 3100)])
    assert _count() == 0
    assert _threads() == []


def test_a_block_that_fails_leaves_nothing_and_stops_the_thread(probe_table):
    with pytest.raises(ValueError, match="stop"):
        with transaction.atomic(), inserts_in_background():
            _insert([(i, f"name{i}") for i in range(1, 20001)])
            raise ValueError("stop")
    assert _count() == 0
    assert _threads() == []


def test_without_the_block_inserts_run_at_once(probe_table):
    _insert([(1, "one"), (2, "two")])
    assert _count() == 2


# --- reads on several connections (core.db.read_in_threads) ------------------------------------

def _reader():
    """What a read on the current thread sees: its thread, its connection and the areas on file."""
    def read():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM areas_area")
            return threading.get_ident(), connection.connection, cursor.fetchone()[0]
    return read


def _closed(driver_connection) -> bool:
    try:
        driver_connection.cursor().execute("SELECT 1")
    except Exception:  # noqa: BLE001 - sqlite3.ProgrammingError, psycopg.InterfaceError: closed
        return True
    return False


def test_reads_outside_a_transaction_run_on_threads_of_their_own_and_close_their_connections(outside_a_transaction):
    areas = _reader()()[2]
    with outside_a_transaction():
        answers = read_in_threads([_reader(), _reader(), _reader()], 2)
        alone = read_in_threads([_reader(), _reader()], 1)
    assert [n for _thread, _conn, n in answers] == [areas, areas, areas]
    assert threading.get_ident() not in {thread for thread, _conn, _n in answers}
    # Each thread's connection is closed when its work is done: none is left open on the database
    # (Django never closes a connection to an in-memory SQLite database, the suite's: its data
    # would go with it; PostgreSQL's suite and a file database check this).
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        assert all(_closed(conn) for _thread, conn, _n in answers)
    assert {thread for thread, _conn, _n in alone} == {threading.get_ident()}


def test_reads_inside_a_transaction_run_here_and_see_its_own_rows(probe_table):
    with transaction.atomic():
        _insert([(1, "甲")])  # not committed: another connection would not see it

        def read():
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM bulk_probe")
                return threading.get_ident(), cursor.fetchone()[0]
        answers = read_in_threads([read, read], 2)
    assert answers == [(threading.get_ident(), 1), (threading.get_ident(), 1)]


def test_after_a_bulk_load_postgresql_is_vacuumed_too_and_sqlite_analyzed(outside_a_transaction):
    """Outside a transaction (the end of a demo load) PostgreSQL vacuums as it analyzes: the new rows'
    pages marked all-visible, index-only scans stop visiting the table (autovacuum may be off);
    inside one (an import's refresh) VACUUM cannot run, and both databases analyze only."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)  # not run: the test's own transaction is a real one underneath

    with connection.execute_wrapper(record):
        with outside_a_transaction():
            refresh_planner_statistics()
        refresh_planner_statistics()
    outside = "VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE"
    assert sent == [outside, "ANALYZE"]
