"""Personal identifiers at rest: AES-GCM encryption plus a keyed hash for look-up.

The hash (HMAC-SHA256 under a key derived from GUANAI_FIELD_KEY) lets the
database find a person by exact ID number and detect duplicates without ever
holding the number in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[AESGCM, bytes]:
    root = hashlib.sha256(("guanai-field-key:" + secret).encode()).digest()
    enc_key = hmac.new(root, b"encrypt", hashlib.sha256).digest()
    hash_key = hmac.new(root, b"lookup", hashlib.sha256).digest()
    return AESGCM(enc_key), hash_key


def encrypt(plain: str) -> str:
    aes, _hash_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    return base64.b64encode(nonce + aes.encrypt(nonce, plain.encode(), None)).decode()


def decrypt(token: str) -> str:
    aes, _hash_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    raw = base64.b64decode(token)
    return aes.decrypt(raw[:12], raw[12:], None).decode()


def lookup_hash(plain: str) -> str:
    _aes, hash_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(hash_key, plain.encode(), hashlib.sha256).hexdigest()
