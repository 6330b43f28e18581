"""Dashboard use cases: one Org's subtree at a glance, read from the roll-ups only.

A page reads a fixed handful of rows whatever the size of the subtree: the org's gauge row, its
due-day rows before today and due-hour rows of today before now, its daily rows of the period,
and the same for its direct children.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.core.registry import dashboard_sections
from unionhome.core.scoping import path_successor, scope_paths
from unionhome.orgs.models import Org
from unionhome.orgs.services import get_org_for_user

from . import rollups
from .models import DAILY_COLUMNS, DailyOrgCount, DueCount, DueDayCount, OrgGauge

PERIODS = {
    "7": gettext_lazy("近7天"),
    "30": gettext_lazy("近30天"),
    "90": gettext_lazy("近90天"),
    "365": gettext_lazy("近一年"),
}
DEFAULT_PERIOD = "30"
MONTHLY_FROM_DAYS = 120  # longer periods chart by month, so a year is 12 points, not 365


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "line" | "bar"
    columns: list[str]
    rows: list[list]  # first cell: the category (date, month, org name); then numbers
    links: list[str] = field(default_factory=list)  # per row, for drill-down tables

    @property
    def link_rows(self) -> list[tuple[str, list]]:
        links = self.links or [""] * len(self.rows)
        return list(zip(links, self.rows, strict=True))


@dataclass
class Card:
    key: str
    label: str
    value: object  # int, Decimal or None ("—")
    note: str = ""


@dataclass
class Section:
    key: str
    label: str
    figures: list[tuple[str, object, str]]


@dataclass
class Dashboard:
    org: Org
    period: str
    start: dt.date
    end: dt.date
    overdue_at: dt.datetime
    cards: list[Card]
    charts: list[Chart]
    sections: list[Section]
    breadcrumbs: list[Org]

    def chart(self, key: str) -> Chart:
        for chart in self.charts:
            if chart.key == key:
                return chart
        raise Http404(_("没有这个图表。"))


def default_org_for(user) -> Org:
    """The viewer's top org: the shallowest org their roles cover (the root for superusers)."""
    paths = scope_paths(user)
    if paths is None:
        org = Org.objects.filter(depth=1).order_by("path").first()
    else:
        org = Org.objects.filter(path__in=paths, is_active=True).order_by("depth", "path").first()
    if org is None:
        raise Http404(_("您没有可查看的组织。"))
    return org


def get_dashboard_org(user, code: str | None) -> Org:
    """The org whose dashboard the user asked for; 404 alike for missing and not covered."""
    if not code:
        return default_org_for(user)
    return get_org_for_user(user, code)


def period_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    days = int(period if period in PERIODS else DEFAULT_PERIOD)
    return today - dt.timedelta(days=days - 1), today


def _sums(org_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    rows = (
        DailyOrgCount.objects.filter(org_id__in=org_ids, day__gte=start, day__lte=end)
        .values("org_id")
        .order_by()
        .annotate(**{col: Sum(col) for col in DAILY_COLUMNS})
    )
    return {r.pop("org_id"): {k: int(v or 0) for k, v in r.items()} for r in rows}


def _gauges(org_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = OrgGauge.objects.filter(org_id__in=org_ids).values("org_id", "open", "escalated_open",
                                                                "members")  # fmt: skip
    return {r.pop("org_id"): r for r in rows}


def _overdue(org_ids: list[int], boundary: dt.datetime) -> dict[int, int]:
    """Open demands due before `boundary` (a whole hour): the day rows of the UTC days before
    the boundary's day, then that day's hour rows before it, at most ~400 + 24 rows per org."""
    midnight = boundary.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    out: dict[int, int] = {}
    days = (
        DueDayCount.objects.filter(org_id__in=org_ids, due_day__lt=midnight.date())
        .values("org_id")
        .order_by()
        .annotate(n=Sum("open"))
    )
    hours = (
        DueCount.objects.filter(org_id__in=org_ids, due_hour__gte=midnight, due_hour__lt=boundary)
        .values("org_id")
        .order_by()
        .annotate(n=Sum("open"))
    )
    for rows in (days, hours):
        for r in rows:
            out[r["org_id"]] = out.get(r["org_id"], 0) + int(r["n"] or 0)
    return out


def open_figures(paths: list[str], now: dt.datetime | None = None) -> dict[str, int]:
    """Open, overdue and escalated demands in the subtrees rooted at `paths` (disjoint), from the
    roll-ups, so the inbox tiles cost the same for a street and for a province.

    Overdue is exact to `now`: the roll-ups count demands due before the last whole hour, and the
    few that fell due since (at most an hour of deadlines) are read from the demand rows."""
    from unionhome.demands.models import Demand, Status

    now = now or timezone.now()
    ids = list(Org.objects.filter(path__in=paths).values_list("pk", flat=True))
    gauges = _gauges(ids)
    boundary = rollups.overdue_boundary(now)
    overdue = sum(_overdue(ids, boundary).values())
    # Due in [boundary, now): resolve deadline in the window (the acknowledge deadline not before
    # it for unacknowledged ones), or unacknowledged with the acknowledge deadline in the window
    # and the resolve deadline not yet reached. Found by the deadline indexes, then kept by path.
    prefixes = tuple(paths)
    open_ = Demand.objects.open().order_by()
    by_resolve = open_.filter(resolve_deadline__gte=boundary, resolve_deadline__lt=now).values_list(
        "org_path", "status", "ack_deadline"
    )
    by_ack = open_.filter(
        status__in_literal=[Status.SUBMITTED],
        ack_deadline__gte=boundary,
        ack_deadline__lt=now,
        resolve_deadline__gte=now,
    ).values_list("org_path")
    overdue += sum(
        1
        for path, status, ack in by_resolve
        if path.startswith(prefixes) and (status != Status.SUBMITTED or ack >= boundary)
    )
    overdue += sum(1 for (path,) in by_ack if path.startswith(prefixes))  # fmt: skip
    return {
        "open": sum(g["open"] for g in gauges.values()),
        "overdue": overdue,
        "escalated": sum(g["escalated_open"] for g in gauges.values()),
    }


def _ratio(total: int, count: int, divisor: int = 1, places: str = "0.1") -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count) / Decimal(divisor)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


def _series(org_id: int, start: dt.date, end: dt.date, monthly: bool) -> list[dict]:
    """Per day (or month) of the period: every daily column, zeros included."""
    rows = DailyOrgCount.objects.filter(org_id=org_id, day__gte=start, day__lte=end).values(
        "day", *DAILY_COLUMNS
    )
    buckets: dict[str, dict[str, int]] = {}
    day = start
    while day <= end:
        key = f"{day:%Y-%m}" if monthly else day.isoformat()
        buckets.setdefault(key, dict.fromkeys(DAILY_COLUMNS, 0))
        day += dt.timedelta(days=1)
    for row in rows:
        key = f"{row['day']:%Y-%m}" if monthly else row["day"].isoformat()
        for col in DAILY_COLUMNS:
            buckets[key][col] += row[col]
    return [{"bucket": key, **cols} for key, cols in buckets.items()]


def children_of(org: Org) -> list[Org]:
    """Direct children in path order: one range scan of the `Org (depth, path)` index
    (`org_depth_path`), whatever the size of the subtree."""
    return list(
        Org.objects.filter(
            depth=org.depth + 1, path__gt=org.path, path__lt=path_successor(org.path)
        )
        .order_by("path")
        .only("pk", "code", "name", "path")
    )


def build_dashboard(user, org: Org, period: str = DEFAULT_PERIOD, now=None) -> Dashboard:
    """Figures for one org's subtree from the roll-ups; the caller has checked the user covers
    `org` (`get_dashboard_org`). Children are listed only if the user covers them too, which
    holds for every child of a covered org."""
    now = now or timezone.now()
    period = period if period in PERIODS else DEFAULT_PERIOD
    start, end = period_range(period, timezone.localdate(now))
    boundary = rollups.overdue_boundary(now)
    children = children_of(org)
    ids = [org.pk, *(c.pk for c in children)]
    sums, gauges, overdue = _sums(ids, start, end), _gauges(ids), _overdue(ids, boundary)
    empty_sums = dict.fromkeys(DAILY_COLUMNS, 0)
    empty_gauge = {"open": 0, "escalated_open": 0, "members": 0}
    mine, gauge = sums.get(org.pk, empty_sums), gauges.get(org.pk, empty_gauge)

    cards = [
        Card("open", _("办理中诉求"), gauge["open"]),
        Card("overdue", _("超期诉求"), overdue.get(org.pk, 0),
             _("截至%(time)s") % {"time": timezone.localtime(boundary).strftime("%m-%d %H:%M")}),
        Card("escalated", _("上级督办中"), gauge["escalated_open"]),
        Card("submitted", _("新收诉求"), mine["submitted"]),
        Card("resolved", _("办结诉求"), mine["resolved"]),
        Card("resolution_hours", _("平均办结用时（小时）"),
             _ratio(mine["resolution_seconds"], mine["resolved"], 3600)),
        Card("satisfaction", _("平均满意度（5分制）"), _ratio(mine["rating_sum"], mine["rated"]),
             _("%(n)d条评价") % {"n": mine["rated"]}),
        Card("members", _("在册会员"), gauge["members"]),
        Card("joined", _("新增会员（含转入）"), mine["joined"]),
        Card("ended", _("离会（含转出）"), mine["ended"]),
    ]  # fmt: skip

    monthly = (end - start).days + 1 > MONTHLY_FROM_DAYS
    series = _series(org.pk, start, end, monthly)
    bucket_label = _("月份") if monthly else _("日期")
    charts = [
        Chart("trend", _("诉求趋势"), "line", [bucket_label, _("新收诉求"), _("办结诉求")],
              [[s["bucket"], s["submitted"], s["resolved"]] for s in series]),
        Chart("members", _("会员增减"), "bar", [bucket_label, _("新增会员"), _("离会")],
              [[s["bucket"], s["joined"], s["ended"]] for s in series]),
    ]  # fmt: skip
    if children:
        rows, links = [], []
        for child in children:
            g, s = gauges.get(child.pk, empty_gauge), sums.get(child.pk, empty_sums)
            rows.append([child.name, g["open"], overdue.get(child.pk, 0), g["escalated_open"],
                         s["submitted"], s["resolved"], g["members"]])  # fmt: skip
            links.append(child.code)
        charts.append(
            Chart(
                "children",
                _("下级组织"),
                "bar",
                [
                    _("组织"),
                    _("办理中"),
                    _("超期"),
                    _("督办中"),
                    _("新收"),
                    _("办结"),
                    _("在册会员"),
                ],
                rows,
                links,
            )
        )
    sections = [Section(s.key, str(s.label), s.figures(org)) for s in dashboard_sections()]
    breadcrumbs = list(
        Org.objects.filter(path__in=rollups.ancestor_paths(org.path)).order_by("depth")
    )
    return Dashboard(org, period, start, end, boundary, cards, charts, sections, breadcrumbs)


def chart_workbook(dashboard: Dashboard, keys: list[str] | None = None) -> bytes:
    """The charts' tables as an Excel workbook, one sheet per chart, the same numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for chart in dashboard.charts:
        if keys and chart.key not in keys:
            continue
        sheet = book.create_sheet(chart.title[:31])
        sheet.append([f"{dashboard.org.name} {chart.title}",
                      f"{dashboard.start.isoformat()} – {dashboard.end.isoformat()}"])  # fmt: skip
        sheet.append(chart.columns)
        for row in chart.rows:
            sheet.append(row)
    if not book.worksheets:
        raise Http404(_("没有这个图表。"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
