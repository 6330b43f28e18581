"""Give the heap's free pages back to the operating system after each response (glibc).

A request allocates and frees many objects; glibc keeps the freed pages of its heap unless they
are at the very top, so a web worker's resident memory stays at the high-water mark of its
fragmented heap rather than at what it still uses. `malloc_trim(0)` releases every free page
(measured: ≈ 30 µs a call, ≈ 1.4 MiB less resident memory in a gunicorn worker after the peer
benchmark's scenarios, `bench/README.md`). Off with `UNIONHOME_MALLOC_TRIM_ENABLED=0`; a no-op
where the C library has no `malloc_trim` (musl, macOS).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _find_malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter is linked with
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def connect() -> bool:
    """Trim after every response from now on; False where that is impossible."""
    trim = _find_malloc_trim()
    if trim is None:
        return False

    def after_response(**_kwargs) -> None:
        trim(0)

    from django.core.signals import request_finished

    request_finished.connect(after_response, weak=False, dispatch_uid="unionhome.core.memory")
    return True
