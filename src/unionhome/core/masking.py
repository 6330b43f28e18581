"""Masks for personal data on screen and in exports (PIPL: show the least that serves)."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; other lengths keep only their last 4 characters."""
    if not value:
        return ""
    if len(value) == 11:
        return f"{value[:3]}****{value[-4:]}"
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_id_number(value: str | None) -> str:
    """``110101199003071234`` → ``110101********1234``: region kept, birth date hidden."""
    if not value:
        return ""
    if len(value) == 18:
        return f"{value[:6]}********{value[-4:]}"
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_name(value: str | None) -> str:
    """``张三丰`` → ``张**``: the family name stays so a cadre can still address the letter."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
