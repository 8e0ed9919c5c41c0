"""Files kept for the background worker: uploads waiting for their job, and what a job leaves
for the user (an import's error workbook). Both hold personal data in clear (ID numbers), so
they are kept sealed (AES-GCM, a key derived from GUANAI_FIELD_KEY) under var/media/uploads,
opened as a plain temporary file only while a job reads them, deleted when their last use
is over, and in any case after ``KEEP``.

One place for files at rest: ``save_upload``, ``seal``, ``opened``, ``stream``,
``discard``, ``purge_expired``; ``SealedStorage``, the storage of files kept for good (visit and
activity photos, signatures: children in their homes), sealed the same way; ``reseal``, which
moves such a file to the current key (`guanai rotate-field-key`); and ``stored_file_response``,
answering with a stored file once the view has found its record through scope.

A sealed file names its key (GUANAI_FIELD_KEY_ID) in its header, so a key can be rotated: files
sealed under an older key stay readable while GUANAI_FIELD_OLD_KEYS holds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import struct
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

SEALED = ".sealed"
KEEP = timedelta(days=1)  # an unconfirmed preview's upload, an error workbook
_MAGIC_V1 = b"GUANAI-SEALED-1\n"  # no key id: sealed under the key of its day (temporary files)
_MAGIC = b"GUANAI-SEALED-2\n"  # followed by the key id, 2 bytes
_KEY_ID = struct.Struct(">H")
_CHUNK = 1024 * 1024


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


class UnknownFileKeyError(ValueError):
    pass


def _current_key_id() -> int:
    return int(getattr(settings, "FIELD_KEY_ID", 0) or 0)


def _aead(key_id: int | None = None) -> AESGCM:
    if key_id is None or key_id == _current_key_id():
        secret = settings.FIELD_ENCRYPTION_KEY
    else:
        secret = (getattr(settings, "FIELD_OLD_KEYS", {}) or {}).get(key_id)
        if secret is None:
            raise UnknownFileKeyError(f"文件密钥编号{key_id}未配置（GUANAI_FIELD_OLD_KEYS）")
    root = hashlib.sha256(("guanai-file-key:" + secret).encode()).digest()
    return AESGCM(hmac.new(root, b"sealed files", hashlib.sha256).digest())


def _seal_stream(chunks: Iterator[bytes], target: Path) -> None:
    key_id = _current_key_id()
    aead = _aead(key_id)
    with target.open("wb") as out:
        os.chmod(target, 0o600)
        out.write(_MAGIC + _KEY_ID.pack(key_id))
        index = 0
        pending = None
        for chunk in chunks:
            if pending is not None:
                _write_chunk(out, aead, index, pending, last=False)
                index += 1
            pending = chunk
        _write_chunk(out, aead, index, pending or b"", last=True)


def _write_chunk(out, aead: AESGCM, index: int, data: bytes, *, last: bool) -> None:
    nonce = os.urandom(12)
    # The chunk's place and whether it ends the file are authenticated: no reordering, no cutting.
    sealed = aead.encrypt(nonce, data, struct.pack(">I?", index, last))
    out.write(struct.pack(">I", len(sealed)) + nonce + sealed)


def _target(suffix: str) -> Path:
    return folder() / f"{uuid.uuid4().hex}{suffix.lower()}{SEALED}"


def save_upload(upload) -> str:
    """Keep an uploaded file, sealed, for the worker; return its path (the suffix shows the type)."""
    target = _target(Path(upload.name).suffix)
    _seal_stream(upload.chunks(_CHUNK), target)
    return str(target)


def seal(plain: str | Path, suffix: str | None = None) -> str:
    """Seal a file a job wrote (and remove the plain one); return the sealed file's path."""
    plain = Path(plain)
    target = _target(suffix or plain.suffix)

    def chunks():
        with plain.open("rb") as handle:
            while data := handle.read(_CHUNK):
                yield data

    _seal_stream(chunks(), target)
    plain.unlink(missing_ok=True)
    return str(target)


def sealed_key_id(path: str | Path) -> int | None:
    """The key a sealed file is sealed under (None: not sealed, or sealed without a key id)."""
    with Path(path).open("rb") as handle:
        head = handle.read(len(_MAGIC) + _KEY_ID.size)
    return _KEY_ID.unpack(head[len(_MAGIC):])[0] if head.startswith(_MAGIC) and len(head) == len(_MAGIC) + 2 else None


class NotSealedError(ValueError):
    pass


def stream(path: str | Path) -> Iterator[bytes]:
    """The plain content of a sealed file, chunk by chunk (a download sends it as it goes)."""
    with Path(path).open("rb") as handle:
        magic = handle.read(len(_MAGIC))
        if magic == _MAGIC:
            aead = _aead(_KEY_ID.unpack(handle.read(_KEY_ID.size))[0])
        elif magic == _MAGIC_V1:
            aead = _aead()
        else:
            raise NotSealedError("not a sealed file")
        index = 0
        while True:
            head = handle.read(4)
            if len(head) < 4:
                raise ValueError("sealed file cut short")
            (length,) = struct.unpack(">I", head)
            nonce = handle.read(12)
            sealed = handle.read(length)
            following = handle.peek(1)[:1] if hasattr(handle, "peek") else b""
            last = not following
            yield aead.decrypt(nonce, sealed, struct.pack(">I?", index, last))
            if last:
                return
            index += 1


@contextlib.contextmanager
def opened(path: str | Path):
    """A plain temporary copy of a sealed file for a reader that wants a path (deleted on exit);
    a file that is not sealed is given as it is."""
    path = Path(path)
    if path.suffix != SEALED:
        yield path
        return
    suffix = Path(path.stem).suffix  # name.xlsx.sealed -> .xlsx
    handle = tempfile.NamedTemporaryFile(prefix="guanai-", suffix=suffix, delete=False)
    try:
        with handle:
            for data in stream(path):
                handle.write(data)
        yield Path(handle.name)
    finally:
        Path(handle.name).unlink(missing_ok=True)


def reseal(path: str | Path) -> bool:
    """Seal a kept file under the current key (a plain one, or one under an older key), in
    place and atomically; False when it already is. For `guanai rotate-field-key`."""
    path = Path(path)
    if sealed_key_id(path) == _current_key_id():
        return False
    fresh = path.with_name(path.name + ".resealing")
    _seal_stream(iter([_plain_bytes(path)]), fresh)
    os.replace(fresh, path)
    return True


def _plain_bytes(path: Path) -> bytes:
    """A kept file's content: opened if sealed, as it is if stored before sealing began."""
    try:
        return b"".join(stream(path))
    except NotSealedError:
        return path.read_bytes()


class SealedStorage(FileSystemStorage):
    """MEDIA_ROOT, every file sealed as it is written and opened as its plain content. A file
    stored before sealing began (plain) is read as it is until `guanai rotate-field-key`
    seals it. Photos are small (resized on upload): opened whole in memory."""

    def _save(self, name, content):
        name = self.get_available_name(name)
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        _seal_stream(iter(lambda: content.read(_CHUNK), b""), target)
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(_plain_bytes(Path(self.path(name))), name=name)

    def size(self, name):
        with self._open(name) as handle:
            return handle.size


def reseal_stored_files() -> tuple[int, int]:
    """Every file kept in a SealedStorage field, moved to the current key (plain files of
    before sealing too): (files resealed, files seen). Run again after an interruption, it
    goes on where it stopped (a file under the current key is left as it is)."""
    from django.apps import apps

    resealed = seen = 0
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(getattr(field, "storage", None), SealedStorage):
                continue
            storage = field.storage
            for name in model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True).iterator():
                path = Path(storage.path(name))
                if not path.is_file():
                    continue
                seen += 1
                resealed += reseal(path)
    return resealed, seen


def sealed_storage() -> SealedStorage:
    """The storage of kept personal files (a callable, so migrations do not freeze MEDIA_ROOT)."""
    return SealedStorage()


def discard(path: str | Path | None) -> None:
    if path and Path(path).parent == folder():
        Path(path).unlink(missing_ok=True)


def exists(path: str | Path | None) -> bool:
    return bool(path) and Path(path).is_file()


def expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + KEEP


def purge_expired(now: float | None = None) -> int:
    """Delete sealed files older than KEEP (an upload never confirmed, an old error workbook)."""
    limit = (now or time.time()) - KEEP.total_seconds()
    removed = 0
    for path in folder().glob(f"*{SEALED}"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def stored_file_response(field_file, content_type: str, *, filename: str | None = None,
                         missing: str = "文件不存在") -> HttpResponse:
    """The stored file as a private response (404 when it is gone); named as ``filename`` it
    opens in the browser when it is an image or PDF and downloads otherwise."""
    try:
        with field_file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    except InvalidTag:  # changed on disk since it was sealed: never served
        logger.error("sealed file %s fails its authentication", field_file.name)
        raise Http404("文件已损坏，无法读取") from None
    response = HttpResponse(content, content_type=content_type)
    if filename:
        inline = content_type.startswith("image/") or content_type == "application/pdf"
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response
