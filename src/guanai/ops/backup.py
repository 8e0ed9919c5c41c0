"""Backups: one encrypted file holding the database and the storage folder.

    guanai backup --output DIR      # key from GUANAI_BACKUP_KEY
    guanai restore FILE [--force]   # into the configured database

The database is copied consistently while the site runs: pg_dump (one snapshot) for
PostgreSQL, SQLite's online backup API for SQLite; then every file under MEDIA_ROOT.
Inside, a tar stream (manifest.json with each table's row count, the database, media/...)
is encrypted with AES-256-GCM in 1 MB chunks under a key derived (scrypt) from
GUANAI_BACKUP_KEY, each chunk numbered and the last one marked, so a changed, reordered
or cut file is refused. The file appears under its final name only once complete.
A restore is all-or-nothing for the database (pg_restore --single-transaction; one
SQLite backup step) and checks every table's row count against the manifest.

Keep GUANAI_BACKUP_KEY and the field key (GUANAI_FIELD_KEY or var/field_key) apart from
the backups: without the field key the restored ID numbers cannot be read.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

MAGIC = b"GUANAI-BACKUP-1\n"
CHUNK = 1024 * 1024
PREFIX = "guanai-backup-"
SUFFIX = ".gbak"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


def backup_key() -> str:
    key = os.environ.get("GUANAI_BACKUP_KEY", "").strip()
    if len(key) < 16:
        raise BackupError("请用环境变量 GUANAI_BACKUP_KEY 提供备份密钥（至少16个字符），并与备份文件分开保管")
    return key


def _derive(key: str, salt: bytes) -> AESGCM:
    return AESGCM(hashlib.scrypt(key.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32))


class EncryptedWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given, chunk by chunk."""

    def __init__(self, out, key: str):
        self.out, self.buffer, self.index = out, bytearray(), 0
        salt, self.prefix = os.urandom(16), os.urandom(7)
        self.aes = _derive(key, salt)
        out.write(MAGIC + salt + self.prefix)

    def writable(self) -> bool:
        return True

    def _emit(self, data: bytes, last: bool) -> None:
        nonce = self.prefix + struct.pack(">I?", self.index, last)
        sealed = self.aes.encrypt(nonce, data, MAGIC)
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.index += 1

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


class DecryptedReader(io.RawIOBase):
    def __init__(self, source, key: str):
        self.source = source
        head = source.read(len(MAGIC) + 23)
        if not head.startswith(MAGIC):
            raise BackupError("这不是关爱平台的备份文件")
        salt, self.prefix = head[len(MAGIC):len(MAGIC) + 16], head[len(MAGIC) + 16:]
        self.aes, self.index, self.pending, self.done = _derive(key, salt), 0, b"", False

    def readable(self) -> bool:
        return True

    def _next(self) -> None:
        size = self.source.read(4)
        if len(size) < 4:
            raise BackupError("备份文件不完整（被截断）")
        sealed = self.source.read(struct.unpack(">I", size)[0])
        for last in (False, True):
            try:
                self.pending = self.aes.decrypt(self.prefix + struct.pack(">I?", self.index, last), sealed, MAGIC)
            except InvalidTag:
                continue
            self.index += 1
            self.done = last
            return
        raise BackupError("备份密钥不正确，或备份文件已损坏")

    def readinto(self, target) -> int:
        while not self.pending and not self.done:
            self._next()
        count = min(len(target), len(self.pending))
        target[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def row_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in _tables():
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _database_url_parts() -> dict:
    db = settings.DATABASES["default"]
    return {"name": db["NAME"], "user": db.get("USER") or "", "host": db.get("HOST") or "",
            "port": str(db.get("PORT") or ""), "password": db.get("PASSWORD") or ""}


def _pg_env() -> dict[str, str]:
    parts = _database_url_parts()
    names = {"name": "PGDATABASE", "user": "PGUSER", "host": "PGHOST", "port": "PGPORT", "password": "PGPASSWORD"}
    return {**os.environ, **{names[k]: v for k, v in parts.items() if v}}


def _run(argv: list[str]) -> None:
    try:
        done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {argv[0]}：请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）") from exc
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} 失败：{done.stderr.strip()[-500:]}")


def _dump_database(folder: Path) -> str:
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(folder / "database.dump")])
        return "database.dump"
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    target = sqlite3.connect(folder / "database.sqlite3")
    with source, target:
        source.backup(target)  # a consistent copy while other processes write
    source.close()
    target.close()
    return "database.sqlite3"


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@dataclass
class Policy:
    """Which backups to keep: the newest of each of the last ``daily`` days, ``weekly``
    weeks and ``monthly`` months (and never fewer than the newest one)."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def backup_time(path: Path) -> datetime | None:
    stem = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
    try:
        return datetime.strptime(stem, "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def to_prune(paths: list[Path], policy: Policy) -> list[Path]:
    dated = sorted(((backup_time(p), p) for p in paths if backup_time(p)), reverse=True)
    if not dated:
        return []
    newest = dated[0][0]
    keep = {dated[0][1]}
    for count, bucket in ((policy.daily, lambda t: t.date()), (policy.weekly, lambda t: t.isocalendar()[:2]),
                          (policy.monthly, lambda t: (t.year, t.month))):
        seen = []
        for when, path in dated:
            key = bucket(when)
            if key not in seen:
                seen.append(key)
                if len(seen) > count:
                    break
                keep.add(path)
    # A backup made within the last day is never pruned (several a day are kept).
    keep |= {p for when, p in dated if newest - when < timedelta(days=1)}
    return [p for _when, p in dated if p not in keep]


def make_backup(output: Path, policy: Policy | None = None) -> Path:
    key = backup_key()
    output.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    final = output / f"{PREFIX}{stamp}{SUFFIX}"
    partial = output / f".{final.name}.partial"
    with tempfile.TemporaryDirectory(dir=output, prefix=".guanai-backup-") as work:
        work = Path(work)
        database = _dump_database(work)
        counts = row_counts()
        files = _media_files()
        manifest = {"format": 1, "created": timezone.now().isoformat(), "vendor": connection.vendor,
                    "database": database, "tables": counts, "files": len(files)}
        root = Path(settings.MEDIA_ROOT)
        try:
            with partial.open("wb") as raw:
                writer = EncryptedWriter(raw, key)
                with tarfile.open(fileobj=writer, mode="w|") as tar:
                    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    info = tarfile.TarInfo("manifest.json")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                    tar.add(work / database, arcname=database)
                    for path in files:
                        tar.add(path, arcname=f"media/{path.relative_to(root).as_posix()}", recursive=False)
                writer.close()
                raw.flush()
                os.fsync(raw.fileno())
            partial.chmod(0o600)
            partial.rename(final)
        finally:
            partial.unlink(missing_ok=True)
    existing = sorted(output.glob(f"{PREFIX}*{SUFFIX}"))
    for old in to_prune(existing, policy or Policy()):
        old.unlink()
    return final


def _extract(path: Path, key: str, into: Path) -> dict:
    with path.open("rb") as raw, tarfile.open(fileobj=DecryptedReader(raw, key), mode="r|") as tar:
        for member in tar:
            target = (into / member.name).resolve()
            if not str(target).startswith(str(into.resolve())) or not (member.isfile() or member.isdir()):
                raise BackupError(f"备份文件中有不允许的条目：{member.name}")
            tar.extract(member, into, filter="data")
    manifest = json.loads((into / "manifest.json").read_text())
    return manifest


def restore_backup(path: Path, *, force: bool = False) -> dict:
    key = backup_key()
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    if _tables() and not force:
        raise BackupError("目标数据库已有数据表：恢复会覆盖其中全部数据。确认覆盖请加 --force")
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(media.iterdir()) and not force:
        raise BackupError(f"存储目录 {media} 不为空：恢复会替换其中全部文件。确认覆盖请加 --force")
    scratch = media.parent if media.parent.exists() else None
    with tempfile.TemporaryDirectory(dir=scratch, prefix=".guanai-restore-") as work:
        work = Path(work)
        manifest = _extract(path, key, work)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"这份备份来自 {manifest['vendor']} 数据库，不能恢复到 {connection.vendor} 数据库")
        for conn in connections.all():
            conn.close()
        if connection.vendor == "postgresql":
            _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                  "--clean", "--if-exists", "--dbname", _pg_env()["PGDATABASE"], str(work / manifest["database"])])
        else:
            source = sqlite3.connect(work / manifest["database"])
            target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            with source, target:
                source.backup(target)
            source.close()
            target.close()
        # The files: the folder becomes exactly what was backed up.
        restored = work / "media"
        if media.exists():
            for child in media.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        media.mkdir(parents=True, exist_ok=True)
        if restored.exists():
            for child in restored.iterdir():
                shutil.move(str(child), media / child.name)
    counts = row_counts()
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"恢复后的数据与备份不符：{wrong}")
    return {"tables": len(counts), "rows": sum(counts.values()), "files": manifest["files"],
            "created": manifest["created"]}
