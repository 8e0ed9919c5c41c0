"""Keeping an uploaded file for the background worker."""

import uuid
from pathlib import Path

from django.conf import settings


def save_upload(upload) -> str:
    """Store the upload under var/media/uploads with a fresh name; return its path."""
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return str(target)
