"""Rate limits for public forms, counted in the shared cache under keyed hashes (no raw IP
addresses or phone numbers are stored)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError

from . import crypto


def limit(scope: str, key: str, *, per_hour: int, message: str) -> None:
    """Count one attempt for `key` in `scope`; refuse the attempt past `per_hour` in an hour."""
    cache_key = f"throttle:{scope}:{crypto.blind_index('throttle', key)}"
    count = 1 if cache.add(cache_key, 1, timeout=3600) else cache.incr(cache_key)
    if count > per_hour:
        raise ValidationError(message, code="rate_limited")
