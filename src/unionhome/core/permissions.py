"""Role checks against the org tree: a role on an Org covers that Org and everything below it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .scoping import scope_paths


def covers(user, path: str, role_kinds: Iterable[str] | None = None) -> bool:
    """True when one of the user's roles (of the given kinds) sits on `path` or an ancestor."""
    paths = scope_paths(user, role_kinds)
    if paths is None:
        return True
    return any(path.startswith(p) for p in paths)


def require(user, path: str, role_kinds: Iterable[str], message: str | None = None) -> None:
    if not covers(user, path, role_kinds):
        raise PermissionDenied(message or _("您没有在该组织执行此操作的权限。"))
