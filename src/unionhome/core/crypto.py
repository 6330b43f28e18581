"""Field encryption (rotatable, versioned tokens) and keyed blind indexes for exact lookup.

Tokens written now are ``v2:`` + URL-safe base64 of a libsodium secret box (PyNaCl
``SecretBox``: XSalsa20-Poly1305, random 24-byte nonce, authenticated). Its key is derived from
each Fernet key in ``UNIONHOME_FIELD_KEYS`` with HMAC-SHA256 under a fixed label, so the setting,
its format and the rotation procedure are unchanged. Older values are Fernet tokens (they start
with ``gAAAAA``; a colon never occurs in them): they still decrypt, and ``cryptography`` is
imported only when one is met, because it costs a web worker ≈ 11 MiB that PyNaCl does in ≈ 2.4
(``bench/README.md``). ``rotate`` rewrites either kind as a ``v2:`` token under the first key, so
``manage.py rotate_field_keys`` also migrates old Fernet values.

Encrypted values are random-looking tokens, so equality lookups need a separate deterministic
HMAC of the *normalised* value (the blind index). The HMAC key is distinct from the encryption
keys: rotating encryption keys never changes an index.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

PREFIX = "v2:"
# Changing the label changes every derived key: existing v2 tokens would stop decrypting.
_LABEL = b"unionhome field encryption v2: xsalsa20-poly1305 secretbox"
_UNREADABLE = (
    "An encrypted field cannot be decrypted with UNIONHOME_FIELD_KEYS: was a key removed "
    "before `manage.py rotate_field_keys` ran?"
)


def _raw_key(key: str) -> bytes:
    """The 32 bytes of a Fernet key, validated the way `cryptography.fernet.Fernet` does."""
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(
            f"UNIONHOME_FIELD_KEYS holds an invalid Fernet key: {exc}"
        ) from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "UNIONHOME_FIELD_KEYS holds an invalid Fernet key: "
            "Fernet key must be 32 url-safe base64-encoded bytes."
        )
    return raw


@cache
def _boxes_for(keys: tuple[str, ...]) -> tuple[SecretBox, ...]:
    if not keys:
        raise ImproperlyConfigured(
            "UNIONHOME_FIELD_KEYS is empty: at least one Fernet key is needed"
        )
    return tuple(
        SecretBox(hmac.new(_raw_key(key), _LABEL, hashlib.sha256).digest()) for key in keys
    )


def _boxes() -> tuple[SecretBox, ...]:
    return _boxes_for(tuple(settings.UNIONHOME_FIELD_KEYS))


@cache
def _fernet_for(keys: tuple[str, ...]):
    """MultiFernet for tokens written before v2; `cryptography` is imported only here."""
    from cryptography.fernet import Fernet, MultiFernet

    _boxes_for(keys)  # the same checks and messages as for new tokens
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(plaintext: str) -> str:
    sealed = _boxes()[0].encrypt(plaintext.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(bytes(sealed)).decode("ascii")


def decrypt(token: str) -> str:
    """Plaintext of a v2 or Fernet token; keys are tried in order, like MultiFernet."""
    if not token.startswith(PREFIX):
        return _decrypt_fernet(token)
    boxes = _boxes()
    try:
        sealed = base64.urlsafe_b64decode(token[len(PREFIX) :].encode("ascii"))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(_UNREADABLE) from exc
    for box in boxes:
        try:
            return box.decrypt(sealed).decode("utf-8")
        except CryptoError:
            continue
    raise ImproperlyConfigured(_UNREADABLE)


def _decrypt_fernet(token: str) -> str:
    fernet = _fernet_for(tuple(settings.UNIONHOME_FIELD_KEYS))
    from cryptography.fernet import InvalidToken

    try:
        return fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(_UNREADABLE) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token (v2 or Fernet) as a v2 token under the first (current) key."""
    return encrypt(decrypt(token))


def blind_index(purpose: str, normalised_value: str) -> str:
    """Deterministic keyed digest; `purpose` separates domains (a phone never matches an ID)."""
    key = settings.UNIONHOME_INDEX_KEY.encode()
    message = f"{purpose}\x00{normalised_value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
