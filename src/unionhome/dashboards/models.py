"""Pre-aggregated roll-ups: what each Org's dashboard reads instead of scanning raw rows.

Every row holds the figure for an Org *and its whole subtree*, so any level's page reads a
handful of rows. The figures are a pure function of the current raw rows (demands and
memberships, attributed to the org that holds them now); `services.contribution_*` defines them,
the signal handlers keep them up to date and `rebuild_rollups --check` proves it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Column names of each roll-up table, in one place: the upserts, the rebuild and the check use them.
DAILY_COLUMNS = (
    "submitted",
    "resolved",
    "resolution_seconds",
    "closed",
    "rated",
    "rating_sum",
    "joined",
    "ended",
)
GAUGE_COLUMNS = ("open", "escalated_open", "members")
DUE_COLUMNS = ("open",)


class DailyOrgCount(models.Model):
    """Flows of one local day in an Org's subtree (one row per org and day, zeros omitted)."""

    # The unique (org, …) constraint's index serves org lookups; no second index to maintain.
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("组织"),
    )
    day = models.DateField(_("日期"))
    submitted = models.BigIntegerField(_("新收诉求"), default=0)
    resolved = models.BigIntegerField(_("办结诉求"), default=0)
    # Sum over resolved demands of (resolved_at − created_at) in whole seconds.
    resolution_seconds = models.BigIntegerField(_("办结用时合计（秒）"), default=0)
    closed = models.BigIntegerField(_("关闭诉求"), default=0)
    rated = models.BigIntegerField(_("评价数"), default=0)
    rating_sum = models.BigIntegerField(_("评分合计"), default=0)
    joined = models.BigIntegerField(_("新增会员"), default=0)
    ended = models.BigIntegerField(_("离会（含转出）"), default=0)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        constraints = [models.UniqueConstraint(fields=["org", "day"], name="daily_org_day")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.day}"


class OrgGauge(models.Model):
    """Current stocks in an Org's subtree."""

    org = models.OneToOneField(
        "orgs.Org",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("组织"),
    )
    open = models.BigIntegerField(_("办理中诉求"), default=0)
    escalated_open = models.BigIntegerField(_("上级督办中"), default=0)
    members = models.BigIntegerField(_("在册会员"), default=0)

    class Meta:
        verbose_name = _("当前存量")
        verbose_name_plural = _("当前存量")

    def __str__(self) -> str:
        return str(self.org_id)


class DueCount(models.Model):
    """Open demands in an Org's subtree by the hour (UTC-aligned, so also whole hours in China)
    in which they become overdue. Overdue at an hour boundary H = the sum of rows before H: the
    clock moves, the rows do not."""

    # The unique (org, …) constraint's index serves org lookups; no second index to maintain.
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("组织"),
    )
    due_hour = models.DateTimeField(_("到期时段"))
    open = models.BigIntegerField(_("办理中诉求"), default=0)

    class Meta:
        verbose_name = _("到期分布")
        verbose_name_plural = _("到期分布")
        constraints = [models.UniqueConstraint(fields=["org", "due_hour"], name="due_org_hour")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.due_hour}"


class DueDayCount(models.Model):
    """`DueCount` by UTC day, so that overdue reads a few hundred rows per org instead of
    thousands: overdue at an hour boundary H = the day rows before H's UTC day + the hour rows
    of that day before H. Both tables hold every open demand; neither depends on the clock."""

    # The unique (org, …) constraint's index serves org lookups; no second index to maintain.
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("组织"),
    )
    due_day = models.DateField(_("到期日（UTC）"))
    open = models.BigIntegerField(_("办理中诉求"), default=0)

    class Meta:
        verbose_name = _("到期分布（按日）")
        verbose_name_plural = _("到期分布（按日）")
        constraints = [models.UniqueConstraint(fields=["org", "due_day"], name="due_org_day")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.due_day}"
