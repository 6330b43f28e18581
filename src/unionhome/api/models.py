"""API keys for integrators (12351 systems, mini-programs, government platforms).

A key is scoped to one Org's subtree, like a role. Only a SHA-256 digest of the secret is kept;
the full key is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.core.scoping import OrgScopedModel


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(OrgScopedModel):
    name = models.CharField(
        _("名称"), max_length=80, help_text=_("接入系统的名称，如“某区12351平台”。")
    )
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_digest = models.CharField(max_length=64, editable=False)
    can_submit = models.BooleanField(_("可提交诉求"), default=True)
    can_read = models.BooleanField(_("可读取辖区诉求"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name: str, org, created_by=None, can_submit=True, can_read=False):
        """Create a key; returns (ApiKey, full key string to hand over once)."""
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        key = cls.objects.create(
            name=name, org=org, prefix=prefix, key_digest=digest(secret),
            created_by=created_by, can_submit=can_submit, can_read=can_read,
        )  # fmt: skip
        return key, f"uh_{prefix}_{secret}"

    @classmethod
    def authenticate(cls, presented: str):
        try:
            _uh, prefix, secret = presented.strip().split("_", 2)
        except ValueError:
            return None
        key = cls.objects.filter(prefix=prefix, is_active=True, org__is_active=True).first()
        if key is None or not secrets.compare_digest(key.key_digest, digest(secret)):
            return None
        cls.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key


class ApiPrincipal:
    """What an API key acts as: an authenticated, non-staff identity whose scope is the key's
    subtree. `core.scoping.scope_paths` honours `unionhome_scope_paths`."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None

    def __init__(self, key: ApiKey):
        self.key = key
        self.unionhome_scope_paths = [key.org_path] if key.can_read else []

    def __str__(self) -> str:
        return f"api:{self.key.prefix}"
