"""Digests (打包反映) and early-warning alerts.

A digest packages a subtree's demands of one period into ranked topics for reporting upward. It
stores only anonymised text: every free-text field is written through `unionhome.text.pii.mask`
by the services. A published digest is frozen; a new version starts as a copy.

An alert is a sudden cluster of demands (many about one employer within days, or a category far
above its baseline in a region) raised to the county/city union above them, with its evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.core.codes import new_code
from unionhome.core.scoping import OrgScopedModel


class DigestStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Digest(OrgScopedModel):
    """One packaged report of a subtree (its `org`) and a period (both dates inclusive)."""

    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=DigestStatus.choices, default=DigestStatus.DRAFT
    )
    narrative = models.TextField(_("综述"), blank=True)
    demand_count = models.PositiveIntegerField(_("本期诉求数"), default=0)
    previous_count = models.PositiveIntegerField(_("上期诉求数"), default=0)
    # None while a background build is still running.
    built_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("基于"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        verbose_name = _("打包反映")
        verbose_name_plural = _("打包反映")
        ordering = ["-period_end", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="digest_period_ordered"
            ),
            # Publishing is one step: a published digest always says when.
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="digest_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == DigestStatus.DRAFT

    @property
    def is_built(self) -> bool:
        return self.built_at is not None

    @property
    def growth(self) -> float | None:
        if not self.previous_count:
            return None
        return (self.demand_count - self.previous_count) / self.previous_count


class DigestCluster(models.Model):
    """One ranked topic of a digest, with the figures behind its rank (see `digests.ranking`)."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="clusters")
    rank = models.PositiveSmallIntegerField(_("排名"))
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("说明"), blank=True)
    size = models.PositiveIntegerField(_("诉求数"))
    previous_size = models.PositiveIntegerField(_("上期诉求数"), default=0)
    distinct_workers = models.PositiveIntegerField(_("涉及职工（估）"), default=0)
    duplicate_groups = models.PositiveIntegerField(_("不重复问题数"), default=0)
    urgency = models.FloatField(_("紧急度"), default=0)
    growth = models.FloatField(_("环比增长"), null=True, blank=True)
    score = models.FloatField(_("排序分"), default=0)
    share_resolved = models.FloatField(_("办结率"), default=0)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    # [{"name": …, "count": n}], most frequent first
    employers = models.JSONField(_("涉及单位"), default=list, blank=True)
    regions = models.JSONField(_("涉及地区"), default=list, blank=True)
    # [{"code": category code, "count": n}]
    categories = models.JSONField(_("类别"), default=list, blank=True)
    representative_text = models.TextField(_("代表性诉求（已脱敏）"), blank=True)
    representative = models.ForeignKey(
        "demands.Demand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Demand ids the cadre may attach as cases (a sample of the cluster, most central first).
    candidate_ids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["digest", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_resolved__gte=0, share_resolved__lte=1),
                name="digest_cluster_share_is_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.title}"

    @property
    def growth_display(self) -> str:
        if self.growth is None:
            return _("新出现") if self.size else "—"
        return f"{self.growth * 100:+.0f}%"

    @property
    def resolved_display(self) -> str:
        return f"{self.share_resolved * 100:.0f}%"

    def category_labels(self) -> list[tuple[str, int]]:
        from unionhome.text.categories import DemandCategory

        labels = dict(DemandCategory.choices)
        return [(str(labels.get(c["code"], c["code"])), c["count"]) for c in self.categories]


class DigestCase(models.Model):
    """An anonymised case the cadre attached to a cluster: a masked copy, not a link to a person."""

    cluster = models.ForeignKey(DigestCluster, on_delete=models.CASCADE, related_name="cases")
    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("类别"), max_length=32, blank=True)
    text = models.TextField(_("案例（已脱敏）"))

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["cluster", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "demand"], name="digest_case_once"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class AlertKind(models.TextChoices):
    EMPLOYER_BURST = "employer_burst", _("单位集中反映")
    CATEGORY_SURGE = "category_surge", _("类别异常上升")


class AlertState(models.TextChoices):
    NEW = "new", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已知悉")
    CLOSED = "closed", _("已关闭")


class Alert(OrgScopedModel):
    """An early warning, held by the county/city union above the demands (its `org`).

    `subject` identifies what the burst is about ("employer:<key>", "surge:<org>:<category>");
    one alert per subject and overlapping window, so a burst is raised once however often the
    scan runs."""

    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    kind = models.CharField(_("类型"), max_length=32, choices=AlertKind.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=AlertState.choices, default=AlertState.NEW
    )
    title = models.CharField(_("标题"), max_length=200)
    subject = models.CharField(_("对象"), max_length=200, db_index=True)
    employer_name = models.CharField(_("单位"), max_length=160, blank=True)
    category = models.CharField(_("类别"), max_length=32, blank=True)
    region = models.ForeignKey(
        "orgs.Org",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("地区"),
    )
    window_start = models.DateTimeField(_("起始时间"))
    window_end = models.DateTimeField(_("截止时间"))
    count = models.PositiveIntegerField(_("诉求数"))
    baseline_mean = models.FloatField(_("基线均值"), null=True, blank=True)
    baseline_sd = models.FloatField(_("基线标准差"), null=True, blank=True)
    threshold = models.FloatField(_("阈值"), null=True, blank=True)
    # {"demand_codes": [...], "weekly_counts": [...], "rule": "..."}
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("预警时间"), default=timezone.now, editable=False)
    acknowledged_at = models.DateTimeField(_("知悉时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("知悉人"),
    )  # fmt: skip
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("关闭人"),
    )  # fmt: skip
    note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subject", "window_end"], name="alert_subject_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")), name="alert_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(state__in=AlertState.values), name="alert_state_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def demand_codes(self) -> list[str]:
        return list(self.evidence.get("demand_codes", []))
