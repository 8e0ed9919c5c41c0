"""A job's progress is readable by other connections while the job's transaction is open."""

from django.db import connection, connections, transaction

from guanai.core import progress as progress_store
from guanai.core.jobs import Progress
from guanai.core.models import Job


def test_progress_written_inside_an_open_transaction_is_seen_at_once(users, tmp_path, monkeypatch):
    """The test runs inside a transaction of its own, as the import does: what another
    connection reads is what the job page would show."""
    if connection.vendor == "sqlite":
        # The suite's SQLite is in memory; a real installation's file gets a side file beside it.
        monkeypatch.setattr(progress_store, "side_file", lambda: tmp_path / "guanai.sqlite3.progress")
        job = Job.objects.create(kind="import", label="导入人员", user=users["village"], status=Job.RUNNING)
    else:
        job = _committed_job(users["village"].pk)
    progress = Progress(job)
    try:
        with transaction.atomic():
            # The job's own work, uncommitted (on SQLite it holds the database's write lock).
            Job.objects.create(kind="import", label="另一项", user=users["village"])
            progress(5000, 20000, "已处理5000行")
            seen = _seen_elsewhere(job.pk)
            assert (seen.done, seen.total, seen.message) == (5000, 20000, "已处理5000行")
            assert seen.percent == 25
    finally:
        progress.close()
        if connection.vendor != "sqlite":
            _elsewhere("DELETE FROM core_job WHERE id = %s", [job.pk])


def _elsewhere(sql: str, params: list):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if cursor.description else None
    finally:
        other.close()


def _committed_job(user_id: int) -> Job:
    row = _elsewhere("INSERT INTO core_job (kind, label, user_id, status, params, result, done, total, message, attempts, "
                     "worker, created_at) VALUES ('import', '导入人员', %s, 'running', '{}', '{}', 0, NULL, '', 1, '', NOW()) "
                     "RETURNING id", [user_id])
    return Job(pk=row[0], kind="import", status=Job.RUNNING)


def _seen_elsewhere(job_id: int) -> Job:
    if connection.vendor == "sqlite":
        return progress_store.current(Job(pk=job_id, status=Job.RUNNING, done=0, total=None, message=""))
    done, total, message = _elsewhere("SELECT done, total, message FROM core_job WHERE id = %s", [job_id])
    return Job(pk=job_id, status=Job.RUNNING, done=done, total=total, message=message)


def test_the_side_file_is_left_clean_when_the_job_ends(users, tmp_path, monkeypatch):
    monkeypatch.setattr(progress_store, "side_file", lambda: tmp_path / "guanai.sqlite3.progress")
    writer = progress_store.ProgressWriter(4242)
    writer.write(1, 2, "一半")
    job = Job(pk=4242, status=Job.RUNNING, done=0, total=None, message="")
    assert progress_store.current(job).done == 1
    writer.close()
    assert progress_store.current(Job(pk=4242, status=Job.RUNNING, done=0, total=None, message="")).done == 0
