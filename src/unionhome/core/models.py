"""Shared data: role grants on the org tree and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import OrgScopedModel, ScopedQuerySet


class RoleKind(models.TextChoices):
    CADRE = "cadre", _("工会干部")
    LEADER = "leader", _("领导")
    MEDIATOR = "mediator", _("调解员")
    VIEWER = "viewer", _("查阅")
    ADMIN = "admin", _("管理员")


class Role(OrgScopedModel):
    """A grant of one kind on one Org; it covers that Org's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("角色"), max_length=16, choices=RoleKind.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授予人"),
    )
    granted_at = models.DateTimeField(_("授予时间"), default=timezone.now)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            # Granting the same role twice on one Org would make revocation ambiguous.
            models.UniqueConstraint(fields=["user", "org", "kind"], name="role_unique_grant"),
            models.CheckConstraint(
                condition=models.Q(kind__in=RoleKind.values), name="role_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} @ {self.org}"


class AuditEventQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only")


class AuditEvent(models.Model):
    """Who did or saw what, when. Written by services; never edited or deleted by the app."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_code = models.CharField(_("对象编号"), max_length=64, db_index=True)
    # Blank for events outside the tree (e.g. a failed login); such rows are superuser-only.
    org_path = models.CharField(_("组织路径"), max_length=255, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_code}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only")


class CalendarAdjustment(models.Model):
    """An override of the packaged Chinese calendar: the State Council's schedule for a year the
    package guesses, or a local decision. Wins over the package for that date."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'}"


class Notification(models.Model):
    """An in-app message to a user (a cadre's bell). Always written; SMS/WeChat are extra."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.title
