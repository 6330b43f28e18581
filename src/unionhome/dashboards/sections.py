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
# Labels for the keys the assistance app's summary is expected to carry; others show as given.
HARDSHIP_LABELS = {
    "cases": _("困难职工档案"),
    "open_cases": _("帮扶中"),
    "new_cases": _("本期新建档"),
    "funds": _("帮扶资金（元）"),
    "funds_paid": _("已发放资金（元）"),
}


def hardship_summary(org_path: str) -> dict | None:
    """The assistance app's summary for a subtree, or None while that app provides none."""
    try:
        module = importlib.import_module(HARDSHIP_HOOK)
    except ImportError:
        return None
    summary = getattr(module, "hardship_summary", None)
    return summary(org_path) if summary is not None else None


def hardship_figures(org) -> list[tuple[str, object, str]]:
    summary = hardship_summary(org.path)
    if not summary:
        return [(_("困难职工档案"), None, ""), (_("帮扶资金（元）"), None, "")]
    return [(HARDSHIP_LABELS.get(key, key), value, "") for key, value in summary.items()]


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
