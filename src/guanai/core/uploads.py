"""Files kept for the background worker: uploads waiting for their job, and what a job leaves
for the user (an import's error workbook). Both hold personal data in clear (ID numbers), so
they are kept sealed (AES-GCM, a key derived from GUANAI_FIELD_KEY) under var/media/uploads,
opened as a plain temporary file only while a job reads them, deleted when their last use
is over, and in any case after ``KEEP``.

One place for files at rest: ``save_upload``, ``seal``, ``opened``, ``stream``,
``discard``, ``purge_expired``; and ``stored_file_response``, answering with a stored file
(a photo, a piece of evidence) once the view has found its record through scope.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import struct
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

SEALED = ".sealed"
KEEP = timedelta(days=1)  # an unconfirmed preview's upload, an error workbook
_MAGIC = b"GUANAI-SEALED-1\n"
_CHUNK = 1024 * 1024


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _aead() -> AESGCM:
    root = hashlib.sha256(("guanai-file-key:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return AESGCM(hmac.new(root, b"sealed files", hashlib.sha256).digest())


def _seal_stream(chunks: Iterator[bytes], target: Path) -> None:
    aead = _aead()
    with target.open("wb") as out:
        os.chmod(target, 0o600)
        out.write(_MAGIC)
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


def stream(path: str | Path) -> Iterator[bytes]:
    """The plain content of a sealed file, chunk by chunk (a download sends it as it goes)."""
    aead = _aead()
    with Path(path).open("rb") as handle:
        if handle.read(len(_MAGIC)) != _MAGIC:
            raise ValueError("not a sealed file")
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
    response = HttpResponse(content, content_type=content_type)
    if filename:
        inline = content_type.startswith("image/") or content_type == "application/pdf"
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response
