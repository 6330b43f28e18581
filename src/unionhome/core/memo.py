"""Configuration tables read once per process instead of once per request.

Routing rules, deadline policies and the holiday calendar change a few times a year but were
read on every submission. A `ProcessMemo` keeps what its loader returned for `ttl` seconds and
drops it at once when this process saves or deletes a row of one of its models; other worker
processes see an edit within `ttl` (admins are told so in docs/architecture.md)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_all: list[ProcessMemo] = []
_clear_hooks: list[Callable[[], None]] = []
DEFAULT_TTL = 30.0


class ProcessMemo(Generic[T]):
    def __init__(
        self, loader: Callable[[], T], *, models: tuple[str, ...], ttl: float = DEFAULT_TTL
    ):
        self._loader = loader
        self._models = models
        self._ttl = ttl
        self._value: T | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()
        self._connected = False
        _all.append(self)

    def _connect(self) -> None:
        from django.apps import apps

        for label in self._models:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(self._on_change, sender=model, weak=False,
                               dispatch_uid=f"memo:{id(self)}:{label}")  # fmt: skip
        self._connected = True

    def _on_change(self, **kwargs) -> None:
        self.clear()

    def get(self) -> T:
        now = time.monotonic()
        with self._lock:
            if not self._connected:
                self._connect()
            if self._value is None or now - self._loaded_at > self._ttl:
                self._value = self._loader()
                self._loaded_at = now
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None


def on_clear_all(hook: Callable[[], None]) -> Callable[[], None]:
    """Register another per-process cache for `clear_all` (decorator)."""
    _clear_hooks.append(hook)
    return hook


def clear_all() -> None:
    """Forget every memo (tests do this between tests: a rolled-back row must not linger)."""
    for memo in _all:
        memo.clear()
    for hook in _clear_hooks:
        hook()
