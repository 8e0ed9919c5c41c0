"""The restore drill: back up a running installation, destroy it, restore, and compare
every table and every file; on SQLite and (when the suite runs on it) PostgreSQL."""

import hashlib
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from guanai.ops.backup import Policy, to_prune
from guanai.ops.testing import guanai, home_env, scratch_database, sql

pytestmark = pytest.mark.django_db(transaction=False)
KEY = "a-backup-key-kept-apart-from-the-backups"


def _tables(url):
    if url.startswith("sqlite"):
        rows = sql(url, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%%'")
    else:
        rows = sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(r[0] for r in rows)


def _snapshot(url):
    """Every row of every table (sorted), and the audit triggers."""
    tables = {}
    for table in _tables(url):
        rows = sql(url, f'SELECT * FROM "{table}"')
        tables[table] = sorted(rows, key=repr)
    if url.startswith("sqlite"):
        triggers = sql(url, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    else:
        triggers = sql(url, "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal")
    return tables, sorted(triggers)


def _files(root: Path):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def _destroy(url, media: Path):
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    for path in sorted(media.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()


def _cli(home, url, *args, key=KEY):
    return subprocess.run([sys.executable, "-m", "guanai.cli", *args], capture_output=True, text=True,
                          env=home_env(home, DATABASE_URL=url, GUANAI_BACKUP_KEY=key))


def test_backup_destroy_restore_gives_back_every_table_and_file(tmp_path):
    home = tmp_path / "site"
    with scratch_database(tmp_path, "backup") as url:
        guanai(home, "migrate", "--noinput", DATABASE_URL=url)
        guanai(home, "demo", DATABASE_URL=url)
        media = home / "var" / "media"
        (media / "activities").mkdir(parents=True)
        (media / "activities" / "照片.jpg").write_bytes(bytes(range(256)) * 100)
        (media / "uploads").mkdir()
        (media / "uploads" / "人员.xlsx").write_bytes(b"PK\x03\x04 a workbook")
        before, files = _snapshot(url), _files(media)
        assert before[0]["audit_auditevent"] and before[1]  # audit events and their triggers

        made = _cli(home, url, "backup", "--output", str(tmp_path / "backups"))
        assert made.returncode == 0, made.stderr
        [backup] = (tmp_path / "backups").glob("guanai-backup-*.gbak")
        assert "示范市".encode() not in backup.read_bytes()  # encrypted

        refused = _cli(home, url, "restore", str(backup))
        assert refused.returncode != 0 and "--force" in refused.stderr  # the database has tables

        _destroy(url, media)
        wrong = _cli(home, url, "restore", str(backup), key="not-the-key-of-this-backup")
        assert wrong.returncode != 0 and "备份密钥不正确" in wrong.stderr

        restored = _cli(home, url, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        assert _snapshot(url) == before and _files(media) == files

        # The audit trail is still append-only after the restore.
        with pytest.raises(Exception):
            sql(url, "UPDATE audit_auditevent SET detail = 'changed'")
        # Restoring over a live database needs --force, and then gives the same again.
        again = _cli(home, url, "restore", str(backup), "--force")
        assert again.returncode == 0, again.stderr
        assert _snapshot(url) == before and _files(media) == files


def test_a_truncated_backup_is_refused(tmp_path):
    home = tmp_path / "site"
    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    guanai(home, "migrate", "--noinput", DATABASE_URL=url)
    assert _cli(home, url, "backup", "--output", str(tmp_path / "b")).returncode == 0
    [backup] = (tmp_path / "b").glob("*.gbak")
    backup.write_bytes(backup.read_bytes()[:-100])
    Path(url.removeprefix("sqlite:///")).unlink()
    out = _cli(home, url, "restore", str(backup))
    assert out.returncode != 0 and ("不完整" in out.stderr or "已损坏" in out.stderr)


def test_backup_needs_a_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    out = _cli(tmp_path, url, "backup", "--output", str(tmp_path / "b"), key="")
    assert out.returncode != 0 and "GUANAI_BACKUP_KEY" in out.stderr


def test_retention_keeps_the_newest_of_each_day_week_and_month():
    def name(when):
        return Path(f"guanai-backup-{when:%Y%m%d-%H%M%S}.gbak")

    # Two backups a day for 400 days.
    paths = [name(datetime.fromordinal(datetime(2026, 11, 30).toordinal() - d).replace(hour=h))
             for d in range(400) for h in (3, 15)]
    kept = set(paths) - set(to_prune(paths, Policy(daily=7, weekly=4, monthly=12)))
    days = {backup.name[14:22] for backup in kept}
    assert name(datetime(2026, 11, 30, 15)) in kept and name(datetime(2026, 11, 30, 3)) in kept  # within a day
    assert {f"202611{d:02d}" for d in range(24, 31)} <= days  # the last 7 days
    assert len(days) <= 7 + 4 + 12  # no more than one per day, week and month
    assert "20251105" not in days and len([d for d in days if d < "20251201"]) <= 1
