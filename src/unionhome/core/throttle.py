"""Rate limits for public forms, counted per clock hour in `RateCounter` rows under keyed
hashes (no raw IP addresses or phone numbers are stored)."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.db import connections, router

from . import crypto

_swept_hour = None  # per process: old hours are deleted once an hour, not on every attempt


def count_attempts(scope: str, keys: list[str], *, now: float | None = None) -> list[int]:
    """Add one attempt for each of `keys` in `scope` to this hour's counters; the new counts.

    One upsert for all keys: two workers counting the same key at once both land (no
    read-modify-write), and a form checking an IP and a phone pays one write."""
    from .models import RateCounter

    global _swept_hour
    if not keys:
        return []
    hour = int((time.time() if now is None else now) // 3600)
    connection = connections[router.db_for_write(RateCounter)]  # the queue's file on SQLite
    q = connection.ops.quote_name
    table, key_, hour_, count_ = (q(RateCounter._meta.db_table), q("key"), q("hour"), q("count"))
    hashed = [f"{scope}:{crypto.blind_index('throttle', key)}"[:80] for key in keys]
    unique = list(dict.fromkeys(hashed))  # one statement may not upsert a row twice
    with connection.cursor() as cursor:
        if _swept_hour != hour:
            cursor.execute(f"DELETE FROM {table} WHERE {hour_} < %s", [hour - 1])  # noqa: S608
            _swept_hour = hour
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {hour_}, {count_}) "  # noqa: S608
            f"VALUES {', '.join(['(%s, %s, 1)'] * len(unique))} "
            f"ON CONFLICT ({key_}, {hour_}) DO UPDATE SET {count_} = {table}.{count_} + 1 "
            f"RETURNING {key_}, {count_}",
            [value for key in unique for value in (key, hour)],
        )
        counts = dict(cursor.fetchall())
    return [counts[key] for key in hashed]


def limit(scope: str, *keys: str, per_hour: int, message: str) -> None:
    """Count one attempt for each key in `scope`; refuse the attempt when any key is past
    `per_hour` this hour."""
    if any(n > per_hour for n in count_attempts(scope, list(keys))):
        raise ValidationError(message, code="rate_limited")
