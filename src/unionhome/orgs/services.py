"""Org-tree use cases. Views, the API, the admin and commands call these; rules live only here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Count, F, Sum, Value
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils.translation import gettext as _

from unionhome.core import audit
from unionhome.core.i18n import join_items
from unionhome.core.models import Role, RoleKind
from unionhome.core.permissions import covers, require
from unionhome.core.registry import org_counters
from unionhome.core.scoping import OrgScopedModel, forget_scope, scope_paths, subtree_q
from unionhome.core.signals import subtree_moved
from unionhome.core.validators import region_contains
from unionhome.text.normalise import normalise_for_search

from .models import Org, OrgLevel, allowed_child_levels

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "level",
    "kind",
    "region_code",
    "legal_person_code",
    "employer_name",
    "employer_credit_code",
    "address",
    "contact_name",
    "contact_phone",
    "founded_on",
    "worker_count",
    "is_active",
)

ADMIN_ROLES = (RoleKind.ADMIN,)


# --- Access --------------------------------------------------------------------------------
def get_org_for_user(user, code: str) -> Org:
    """The org with this code if the user's roles cover it; 404 alike for missing and not yours."""
    org = Org.objects.visible_to(user).filter(code=code).first()
    if org is None:
        raise Http404(_("没有找到该组织。"))
    return org


# --- Placement rules -----------------------------------------------------------------------
def check_placement(org: Org, parent: Org | None) -> None:
    """An org may sit only below a higher level (a grassroots union holds only branches and
    groups), never below itself, and inside its parent's administrative region."""
    org.clean()
    errors: dict[str, list[str]] = {}
    if parent is not None and org.pk and parent.path.startswith(org.path):
        raise ValidationError(
            {"parent": [_("不能把组织放到它自己或它的下级组织之下。")]}, code="cycle"
        )
    allowed = allowed_child_levels(
        parent.level if parent else None, parent.kind if parent else None, org.kind
    )
    if org.level not in OrgLevel.values:
        errors.setdefault("level", []).append(_("未知的组织层级“%s”。") % org.level)
    elif org.level not in allowed:
        if parent is None:
            msg = _("“%(level)s”不能作为顶层组织。") % {"level": org.get_level_display()}
        elif not allowed:
            msg = _("“%(parent)s”是%(parent_level)s，下面不能再设组织。") % {
                "parent": parent.name,
                "parent_level": parent.get_level_display(),
            }
        else:
            msg = _(
                "“%(level)s”不能设在%(parent_level)s“%(parent)s”之下，只能设：%(allowed)s。"
            ) % {
                "level": org.get_level_display(),
                "parent": parent.name,
                "parent_level": parent.get_level_display(),
                "allowed": join_items(OrgLevel(lv).label for lv in allowed),
            }
        errors.setdefault("level", []).append(msg)
    if parent is not None and org.region_code:
        outer = parent.effective_region_code()
        if outer and not region_contains(outer, org.region_code):
            errors.setdefault("region_code", []).append(
                _("行政区划代码%(code)s不在上级组织所在区域%(outer)s之内。")
                % {"code": org.region_code, "outer": outer}
            )
    if org.pk:
        child_levels = set(Org.objects.get_children(org).values_list("level", flat=True))
        still_allowed = {
            level
            for kind in set(Org.objects.get_children(org).values_list("kind", flat=True))
            for level in allowed_child_levels(org.level, org.kind, kind)
        }
        bad = child_levels - still_allowed
        if bad:
            errors.setdefault("level", []).append(
                _("改为“%(level)s”后，现有下级组织（%(children)s）将不符合层级关系。")
                % {
                    "level": org.get_level_display(),
                    "children": join_items(OrgLevel(lv).label for lv in sorted(bad)),
                }
            )
    if errors:
        raise ValidationError(errors)


def _apply(org: Org, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%s") % join_items(sorted(unknown)))
    for name, value in fields.items():
        if value is None and isinstance(Org._meta.get_field(name), CharField):
            value = ""
        setattr(org, name, value)


def _validate_fields(org: Org) -> None:
    # Field validators (region code, USCC checksums, lengths); uniqueness is checked by the
    # database constraints and turned into a message by `_save_unique`.
    org.full_clean(
        exclude=["path", "depth", "numchild", "code"],
        validate_unique=False,
        validate_constraints=False,
    )


# --- Writes --------------------------------------------------------------------------------
@transaction.atomic
def create_org(actor, *, parent: Org | None, **fields: Any) -> Org:
    """Add an org below `parent` (a root needs a superuser); the actor must administer `parent`."""
    if parent is None:
        if not (actor and actor.is_superuser):
            raise ValidationError({"parent": [_("只有系统管理员可以创建顶层组织。")]})
    else:
        parent = Org.objects.select_for_update().get(pk=parent.pk)
        require(actor, parent.path, ADMIN_ROLES)
    org = Org()
    _apply(org, fields)
    _validate_fields(org)
    check_placement(org, parent)
    _check_unique(org)
    org = (
        Org.objects.add_root(instance=org)
        if parent is None
        else Org.objects.add_child(parent, instance=org)
    )
    audit.record(actor, "org.create", org, detail={"name": org.name, "level": org.level})
    return org


@transaction.atomic
def update_org(actor, org: Org, **fields: Any) -> Org:
    """Change an org's own data; its place in the tree changes only through `move_org`."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    require(actor, org.path, ADMIN_ROLES)
    before = {name: getattr(org, name) for name in fields}
    _apply(org, fields)
    _validate_fields(org)
    check_placement(org, Org.objects.get_parent(org))
    _check_unique(org)
    org.save()
    changes = {
        name: [str(before[name]), str(getattr(org, name))]
        for name in fields
        if before[name] != getattr(org, name)
    }
    if changes:
        audit.record(actor, "org.update", org, detail={"changes": changes})
    return org


@transaction.atomic
def move_org(actor, org: Org, new_parent: Org) -> Org:
    """Re-parent an org with its whole subtree and rewrite every denormalised `org_path` below
    it, all in one transaction: either the tree and every scoped row move, or nothing does."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    new_parent = Org.objects.select_for_update().get(pk=new_parent.pk)
    require(actor, org.path, ADMIN_ROLES)
    require(actor, new_parent.path, ADMIN_ROLES, _("您没有管理目标上级组织的权限。"))
    old_parent = Org.objects.get_parent(org)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        return org
    check_placement(org, new_parent)
    old_path = org.path
    Org.objects.move(org, new_parent, pos="last-child")
    org = Org.objects.get(pk=org.pk)
    rewritten = rewrite_org_paths(old_path, org.path)
    subtree_moved.send(Org, org=org, old_path=old_path, new_path=org.path)
    audit.record(
        actor,
        "org.move",
        org,
        detail={
            "from": old_parent.code if old_parent else None,
            "to": new_parent.code,
            "old_path": old_path,
            "rows_rewritten": rewritten,
        },
    )
    forget_scope(actor)
    return org


def scoped_models() -> list[type[OrgScopedModel]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, OrgScopedModel) and not model._meta.abstract
    ]


def rewrite_org_paths(old_prefix: str, new_prefix: str) -> dict[str, int]:
    """Replace `old_prefix` with `new_prefix` in every scoped model's `org_path`."""
    counts: dict[str, int] = {}
    for model in scoped_models():
        counts[model._meta.label_lower] = model._default_manager.filter(
            subtree_q("org_path", [old_prefix])
        ).update(org_path=Concat(Value(new_prefix), Substr(F("org_path"), len(old_prefix) + 1)))
    return counts


def _check_unique(org: Org) -> None:
    others = Org.objects.exclude(pk=org.pk) if org.pk else Org.objects.all()
    errors: dict[str, list[str]] = {}
    if org.employer_credit_code and org.level == OrgLevel.GRASSROOTS:
        clash = others.filter(
            employer_credit_code=org.employer_credit_code, level=OrgLevel.GRASSROOTS
        ).first()
        if clash:
            errors["employer_credit_code"] = [
                _("该单位已建有工会：%(name)s。") % {"name": clash.name}
            ]
    if org.legal_person_code and others.filter(legal_person_code=org.legal_person_code).exists():
        errors["legal_person_code"] = [_("该工会法人统一社会信用代码已被其他组织使用。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def grant_role(actor, *, user, org: Org, kind: str) -> Role:
    """Grant a role on an org; only an administrator covering that org may grant."""
    if kind not in RoleKind.values:
        raise ValidationError({"kind": [_("未知的角色“%s”。") % kind]})
    require(actor, org.path, ADMIN_ROLES)
    role, created = Role.objects.get_or_create(
        user=user, org=org, kind=kind, defaults={"granted_by": actor}
    )
    if created:
        audit.record(actor, "role.grant", role, detail={"user": user.username, "kind": kind})
    forget_scope(user)
    return role


@transaction.atomic
def revoke_role(actor, role: Role) -> None:
    require(actor, role.org_path, ADMIN_ROLES)
    audit.record(actor, "role.revoke", role, detail={"user": role.user.username})
    role.delete()
    forget_scope(role.user)


# --- Reads for the tree page ---------------------------------------------------------------
@dataclass
class TreeNode:
    org: Org
    child_count: int
    # (key, label, value) per registered counter, in display order
    figures: list[tuple[str, str, int]] = field(default_factory=list)

    def figure(self, key: str) -> int:
        return next((value for k, _label, value in self.figures if k == key), 0)

    @property
    def has_children(self) -> bool:
        return self.child_count > 0


def member_totals(parent_path: str, prefix_length: int) -> dict[str, int]:
    """Members per subtree: the sum of `member_count` over each group of paths."""
    rows = (
        Org.objects.filter(subtree_q("path", [parent_path]))
        .annotate(prefix=Substr("path", 1, prefix_length))
        # clear the default ordering by path: it would join the GROUP BY and split every group
        .order_by()
        .values("prefix")
        .annotate(total=Sum("member_count"))
    )
    return {row["prefix"]: row["total"] or 0 for row in rows}


def _nodes(orgs: list[Org], parent_path: str | None, prefix_length: int | None) -> list[TreeNode]:
    counters = org_counters()
    figures: dict[str, dict[str, int]] = {}
    if parent_path is not None and prefix_length is not None:
        for counter in counters:
            figures[counter.key] = counter.compute(parent_path, prefix_length)
    else:
        for counter in counters:
            figures[counter.key] = {}
            for org in orgs:
                figures[counter.key].update(counter.compute(org.path, len(org.path)))
    return [
        TreeNode(
            org=org,
            child_count=org.numchild,
            figures=[(c.key, str(c.label), figures[c.key].get(org.path, 0)) for c in counters],
        )
        for org in orgs
    ]


def tree_roots(user) -> list[TreeNode]:
    """The top of what this user may see: the orgs their roles sit on (roots for superusers)."""
    paths = scope_paths(user)
    if paths is None:
        orgs = list(Org.objects.get_root_nodes())
    else:
        orgs = list(Org.objects.filter(path__in=paths).order_by("path"))
    return _nodes(orgs, None, None)


def tree_children(user, parent: Org) -> list[TreeNode]:
    """Children of an org the user can see, each with its subtree figures."""
    if not covers(user, parent.path):
        raise Http404(_("没有找到该组织。"))
    children = list(Org.objects.get_children(parent))
    return _nodes(children, parent.path, len(parent.path) + Org.steplen)


def search_orgs(user, query: str, limit: int = 50) -> list[Org]:
    """Orgs in the user's subtrees whose name matches, in Simplified or Traditional writing."""
    needle = normalise_for_search(query)
    if not needle:
        return []
    return list(
        Org.objects.visible_to(user).filter(search_text__contains=needle).order_by("path")[:limit]
    )


def breadcrumbs(user, org: Org) -> list[Org]:
    """Ancestors of `org` down from the user's own scope root (nothing above what they cover)."""
    paths = scope_paths(user)
    ancestors = list(Org.objects.get_ancestors(org))
    if paths is None:
        return ancestors
    return [a for a in ancestors if any(a.path.startswith(p) for p in paths)]


def subtree_summary(org: Org) -> dict[str, int]:
    """Counts for an org's page: orgs below it by level, and members in the subtree."""
    rows = (
        Org.objects.filter(subtree_q("path", [org.path]))
        .exclude(pk=org.pk)
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
    )
    by_level = {row["level"]: row["n"] for row in rows}
    return {
        "members": member_totals(org.path, len(org.path)).get(org.path, 0),
        **{f"level_{level}": by_level.get(level, 0) for level in OrgLevel.values},
    }
