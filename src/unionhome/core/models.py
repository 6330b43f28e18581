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


class AppendOnlyQuerySetMixin:
    """History rows are written once: no bulk update or delete through the ORM."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """Base for history (audit events, demand timelines): a row is inserted, never changed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


class AuditEventQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet):
    pass


class AuditEvent(AppendOnlyModel):
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


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("未完成")


def job_upload_path(instance: Job, filename: str) -> str:
    return f"jobs/{instance.code}/{filename.rsplit('/', 1)[-1][-80:]}"


class Job(models.Model):
    """A long piece of work (an import, an export, a report) run by the task worker; its owner
    watches its progress on a page. Progress while running lives in the cache (`core.jobs`):
    the job's own transaction may hold the database until it commits."""

    code = models.CharField(max_length=16, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("名称"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("发起人"),
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to=job_upload_path, blank=True)
    output_file = models.FileField(upload_to=job_upload_path, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class RateCounter(models.Model):
    """Attempts per key and hour for the public forms' rate limits (`core.throttle`).

    In the database rather than the cache: Django's file cache culls a random third of its
    entries past 300 keys (a busy hour would forget who was over the limit), and every web
    worker must see the same counts."""

    key = models.CharField(max_length=80)  # scope + keyed hash: no raw IP or phone
    hour = models.BigIntegerField()  # hours since 1970, UTC
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")
        constraints = [
            models.UniqueConstraint(fields=["key", "hour"], name="rate_counter_once_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.hour}: {self.count}"
