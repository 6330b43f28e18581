"""Field encryption (Fernet, rotatable) and keyed blind indexes for exact lookup.

Encrypted values are random-looking tokens, so equality lookups need a separate deterministic
HMAC of the *normalised* value (the blind index). The HMAC key is distinct from the encryption
keys: rotating encryption keys never changes an index.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "UNIONHOME_FIELD_KEYS is empty: at least one Fernet key is needed"
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"UNIONHOME_FIELD_KEYS holds an invalid Fernet key: {exc}"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.UNIONHOME_FIELD_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be decrypted with UNIONHOME_FIELD_KEYS: was a key removed "
            "before `manage.py rotate_field_keys` ran?"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (current) key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(purpose: str, normalised_value: str) -> str:
    """Deterministic keyed digest; `purpose` separates domains (a phone never matches an ID)."""
    key = settings.UNIONHOME_INDEX_KEY.encode()
    message = f"{purpose}\x00{normalised_value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
