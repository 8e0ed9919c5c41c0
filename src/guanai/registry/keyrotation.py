"""Re-encrypting the persons' ID numbers under the current field key, and filling the keyed
columns derived from them, in batches while the site serves.

Resumable without a separate checkpoint: every ciphertext names its key id, so the rows
still to do are exactly those whose ciphertext does not start with the current key's
prefix; a run that stops (killed, Ctrl-C, database gone) leaves finished batches
committed and the next run continues with the rest. Each row is written only if its
ciphertext is still the one read (compare-and-set), so an edit made meanwhile under the
new key is never overwritten. Reads accept old and new keys throughout (crypto).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from django.db import transaction

from . import crypto

BATCH = 2000


@dataclass
class RotationResult:
    rotated: int = 0
    skipped: int = 0  # rows changed by someone else meanwhile (already under the new key)
    remaining: int = 0


def _person_model(model=None):
    if model is not None:
        return model
    from .models import Person

    return Person


def pending(model=None):
    """The persons whose ID ciphertext is not under the current key."""
    Person = _person_model(model)
    return (Person.objects.exclude(id_number_encrypted="")
            .exclude(id_number_encrypted__startswith=crypto.current_prefix()))


def rotate(*, batch: int = BATCH, limit: int | None = None, model=None,
           progress: Callable[[int, int], None] | None = None) -> RotationResult:
    """Re-encrypt (and re-hash) up to ``limit`` rows, ``batch`` rows per transaction."""
    Person = _person_model(model)
    result = RotationResult()
    total = pending(Person).count()
    last = 0
    while limit is None or result.rotated + result.skipped < limit:
        size = batch if limit is None else min(batch, limit - result.rotated - result.skipped)
        rows = list(pending(Person).filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "id_number_encrypted")[:size])
        if not rows:
            break
        last = rows[-1][0]
        numbers = [crypto.decrypt(token) for _pk, token in rows]  # UnknownKeyError: an old key is missing
        encrypted = crypto.encrypt_many(numbers)
        hashes = crypto.hash_many(numbers)
        suffix = crypto.suffix_hasher()
        with transaction.atomic():
            for (pk, token), number, new_token, new_hash in zip(rows, numbers, encrypted, hashes):
                written = Person.objects.filter(pk=pk, id_number_encrypted=token).update(
                    id_number_encrypted=new_token, id_number_hash=new_hash, id_suffix_hash=suffix(number))
                if written:
                    result.rotated += 1
                else:
                    result.skipped += 1
        if progress is not None:
            progress(result.rotated + result.skipped, total)
    result.remaining = pending(Person).count()
    return result


def suffix_hashes_missing(model=None):
    """The persons with an ID number but no suffix hash yet (rows written before the column existed)."""
    return _person_model(model).objects.filter(id_suffix_hash="").exclude(id_number_encrypted="")


def fill_suffix_hashes(model=None, *, batch: int = BATCH, limit: int | None = None,
                       progress: Callable[[int], None] | None = None) -> int:
    """Fill the suffix hash of persons that have an ID number but no suffix hash yet (rows
    written before the column existed); rows whose key is not configured are left empty.
    Each batch is its own transaction: stopped, it continues with the rest when run again.
    ``limit`` rows at most (about; whole batches)."""
    Person = _person_model(model)
    suffix = crypto.suffix_hasher()
    last = filled = seen = 0
    while True:
        if limit is not None and seen >= limit:
            return filled
        rows = list(suffix_hashes_missing(Person).filter(pk__gt=last)
                    .order_by("pk").values_list("pk", "id_number_encrypted")[:batch])
        if not rows:
            return filled
        last, seen = rows[-1][0], seen + len(rows)
        if progress is not None:
            progress(seen)
        with transaction.atomic():
            for pk, token in rows:
                try:
                    number = crypto.decrypt(token)
                except (InvalidTag, ValueError):
                    continue
                filled += Person.objects.filter(pk=pk, id_number_encrypted=token).update(
                    id_suffix_hash=suffix(number))
