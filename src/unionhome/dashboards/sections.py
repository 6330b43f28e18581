"""Sections other apps contribute to the dashboard, through `core.registry`.

Two are registered here until their apps register their own (the key is the same, so an app's
registration replaces these): hardship assistance, read through the hook
`unionhome.assistance.services.hardship_summary(org_path) -> dict`, and station counts, read
through the stations app's org counter.
"""

from __future__ import annotations

import importlib

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from unionhome.core.registry import (
    DashboardSection,
    org_counters,
    register_dashboard_section,
)

HARDSHIP_HOOK = "unionhome.assistance.services"


def hardship_summary(org_path: str) -> dict | None:
    """The assistance app's summary for a subtree, or None while that app provides none."""
    try:
        module = importlib.import_module(HARDSHIP_HOOK)
    except ImportError:
        return None
    summary = getattr(module, "hardship_summary", None)
    return summary(org_path) if summary is not None else None


def hardship_figures(org) -> list[tuple[str, object, str]]:
    """Files in help by level and this year's funds, as the assistance app sums them."""
    summary = hardship_summary(org.path)
    if not summary:
        return [(_("困难职工档案"), None, ""), (_("帮扶资金（元）"), None, "")]
    try:
        cases_url = reverse("assistance:list") + f"?org={org.code}"
        report_url = reverse("assistance:report") + f"?org={org.code}"
    except NoReverseMatch:
        cases_url = report_url = ""
    levels = summary.get("open_by_level", {})
    funds = summary.get("funds", {})
    return [
        (_("在档帮扶"), summary.get("open_total"), cases_url),
        (_("深度困难"), levels.get("deep"), ""),
        (_("相对困难"), levels.get("relative"), ""),
        (_("意外致困"), levels.get("accident"), ""),
        (_("待审批"), summary.get("proposed"), ""),
        (_("脱困观察期"), summary.get("in_watch"), ""),
        (_("回访逾期"), summary.get("follow_ups_overdue"), ""),
        (_("本年资金预算（元）"), funds.get("budget"), report_url),
        (_("已安排（元）"), funds.get("granted"), ""),
        (_("已发放（元）"), funds.get("paid"), ""),
        (_("结余（元）"), funds.get("remaining"), ""),
    ]


def station_figures(org) -> list[tuple[str, object, str]]:
    counter = next((c for c in org_counters() if c.key == "stations"), None)
    if counter is None:
        return [(_("开放的服务站点"), None, "")]
    count = counter.compute(org.path, len(org.path)).get(org.path, 0)
    try:
        url = reverse("stations:coverage") + f"?org={org.code}"
    except NoReverseMatch:
        url = ""
    return [(_("开放的服务站点"), count, ""), (_("15分钟服务圈覆盖"), _("查看"), url)]


def register_builtin_sections() -> None:
    register_dashboard_section(
        DashboardSection("hardship", _("困难职工帮扶"), hardship_figures, order=40)
    )
    register_dashboard_section(
        DashboardSection("stations", _("服务站点"), station_figures, order=50)
    )
