"""Small helpers for messages that read well in every UI language."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def join_items(items: Iterable[object]) -> str:
    """Join a list with the language's enumeration comma: 、 in Chinese, ", " in English."""
    return pgettext("list separator", "、").join(str(item) for item in items)
