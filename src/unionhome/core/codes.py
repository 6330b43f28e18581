"""Opaque codes for URLs: people and cases are never addressed by sequential ids."""

from __future__ import annotations

import secrets

# Crockford base32 without I, L, O, U: unambiguous when read out over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code(length: int = 8, group: int = 4) -> str:
    """A random code such as ``7KQ2-M9XA`` (40 bits for the default length)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + group] for i in range(0, length, group))
