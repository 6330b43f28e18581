"""Org-subtree scoping: the one mechanism that decides which people and cases a user may read.

Orgs form a django-treebeard materialised-path tree, so "the subtree of org X" is "every path that
starts with X.path". We express that as a half-open range ``[path, successor(path))`` rather than
``LIKE 'path%'``: a range uses the ordinary b-tree index on SQLite and PostgreSQL alike, whatever
the column collation, because tree paths only use the characters 0-9 and A-Z.

Models that hold people or cases inherit :class:`OrgScopedModel` and are read through
``Model.objects.visible_to(user)``. No view or API builds its own filter.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# django-treebeard's MP_Node alphabet (the default): digits, then upper-case letters.
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_successor(path: str) -> str:
    """The smallest string greater than every path that starts with `path`.

    Incrementing the last character is enough; a final 'Z' cannot be incremented inside the
    alphabet, so we step to '[' (the next ASCII character), which still sorts after 'Z' in both
    binary and C collations.
    """
    last = path[-1]
    index = PATH_ALPHABET.index(last)
    if index + 1 < len(PATH_ALPHABET):
        return path[:-1] + PATH_ALPHABET[index + 1]
    return path[:-1] + "["


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies inside another one: grants on ancestors already cover it."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def subtree_q(field: str, paths: Iterable[str]) -> Q:
    """A filter matching rows whose `field` lies in any of the subtrees rooted at `paths`."""
    ranges = [
        Q(**{f"{field}__gte": path, f"{field}__lt": path_successor(path)})
        for path in minimal_paths(paths)
    ]
    return reduce(operator.or_, ranges) if ranges else Q(pk__in=[])


def scope_paths(user, role_kinds: Iterable[str] | None = None) -> list[str] | None:
    """Tree paths the user's roles cover; ``None`` means everything (superusers only).

    Cached on the user object for the life of the request, per set of role kinds.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    fixed = getattr(user, "unionhome_scope_paths", None)
    if fixed is not None:  # an API key's principal: its scope is fixed by the key
        return minimal_paths(fixed)
    if user.is_superuser:
        return None
    kinds = tuple(sorted(role_kinds)) if role_kinds else ()
    cache = user.__dict__.setdefault("_unionhome_scope_cache", {})
    if kinds not in cache:
        from unionhome.core.models import Role

        roles = Role.objects.filter(user=user, org__is_active=True)
        if kinds:
            roles = roles.filter(kind__in=kinds)
        cache[kinds] = minimal_paths(roles.values_list("org__path", flat=True))
    return cache[kinds]


def forget_scope(user) -> None:
    """Call after changing a user's roles within the same request."""
    user.__dict__.pop("_unionhome_scope_cache", None)


class ScopedQuerySet(models.QuerySet):
    """QuerySet with ``visible_to(user)``; `scope_field` names the path column to range over."""

    scope_field = "org_path"

    def visible_to(self, user, role_kinds: Iterable[str] | None = None):
        paths = scope_paths(user, role_kinds)
        if paths is None:
            return self.all()
        if not paths:
            return self.none()
        return self.filter(subtree_q(self.scope_field, paths))

    def in_subtree(self, path: str):
        """Rows under one org path, for roll-ups (callers must already be scoped)."""
        return self.filter(subtree_q(self.scope_field, [path]))


class OrgScopedModel(models.Model):
    """Abstract base for anything that holds people or cases.

    `org_path` is denormalised from ``org.path`` so that scoping is one indexed range on this
    table; `unionhome.orgs.services.move_org` rewrites it for every subclass when a subtree moves.
    """

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("工会组织")
    )
    org_path = models.CharField(_("组织路径"), max_length=255, db_index=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.org_path = self.org.path
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "org" in update_fields:
            kwargs["update_fields"] = {*update_fields, "org_path"}
        super().save(*args, **kwargs)
