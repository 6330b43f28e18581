"""Early warning (预警): sudden clusters of demands, raised to the county/city union above them.

Two rules, thresholds in settings (defaults in brackets):

* **Employer burst** — at least `UNIONHOME_ALERT_BURST_COUNT` [5] demands about one employer
  within `UNIONHOME_ALERT_BURST_DAYS` [3] days. The employer is the demand's routed employer
  union, else the employer it names, else (full scan only) the employer `text.cluster` recognises
  in the text; all compared on `text.employers.employer_key`, so different employers never merge.
* **Category surge** — a category's demands in a county (the county/city union above the
  demands' org) over the last 7 days reach `UNIONHOME_ALERT_SURGE_MIN` [5] and exceed
  mean + `UNIONHOME_ALERT_SURGE_K` [3] × sd of the `UNIONHOME_ALERT_SURGE_WEEKS` [8] weeks
  before (weeks without demands count as 0).

A burst is raised once: an alert with the same subject whose window overlaps (or lies within one
burst window of) the new one is the same burst; its evidence grows while it is not closed, and
nobody is notified again. `scan_alerts` is idempotent (cron: `manage.py scan_alerts`); after each
submission a cheap check of that demand's employer and category runs on commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.core import audit
from unionhome.core.memo import on_clear_all
from unionhome.core.models import Role, RoleKind
from unionhome.core.notify import notify_users
from unionhome.core.permissions import covers
from unionhome.core.scoping import subtree_q
from unionhome.demands.models import Demand, Status
from unionhome.orgs.models import Org, OrgKind, OrgLevel
from unionhome.text.categories import DemandCategory
from unionhome.text.employers import employer_key

from .models import Alert, AlertKind, AlertState

logger = logging.getLogger(__name__)
STEPLEN = Org.steplen
WEEK = dt.timedelta(days=7)
HANDLE_ROLES = (RoleKind.CADRE, RoleKind.LEADER, RoleKind.ADMIN)


@dataclass(frozen=True)
class Thresholds:
    burst_count: int
    burst_days: int
    surge_weeks: int
    surge_k: float
    surge_min: int

    @property
    def burst_window(self) -> dt.timedelta:
        return dt.timedelta(days=self.burst_days)


def thresholds() -> Thresholds:
    return Thresholds(
        burst_count=int(getattr(settings, "UNIONHOME_ALERT_BURST_COUNT", 5)),
        burst_days=int(getattr(settings, "UNIONHOME_ALERT_BURST_DAYS", 3)),
        surge_weeks=int(getattr(settings, "UNIONHOME_ALERT_SURGE_WEEKS", 8)),
        surge_k=float(getattr(settings, "UNIONHOME_ALERT_SURGE_K", 3.0)),
        surge_min=int(getattr(settings, "UNIONHOME_ALERT_SURGE_MIN", 5)),
    )


@dataclass
class ScanResult:
    raised: list[Alert] = field(default_factory=list)
    updated: int = 0


# --- Where an alert goes -----------------------------------------------------------------------
class AlertOrgs:
    """The county union above an org (else the city union, else the org itself), cached."""

    def __init__(self) -> None:
        self._orgs: dict[str, Org] = {}

    def load(self, paths) -> None:
        wanted = {p[:i] for p in paths for i in range(STEPLEN, len(p) + 1, STEPLEN)}
        wanted -= set(self._orgs)
        if wanted:
            self._orgs.update({o.path: o for o in Org.objects.filter(path__in=wanted)})

    def for_path(self, path: str) -> Org | None:
        self.load([path])
        chain = [self._orgs[path[:i]] for i in range(len(path), 0, -STEPLEN)
                 if path[:i] in self._orgs]  # fmt: skip
        for level in (OrgLevel.COUNTY, OrgLevel.CITY):
            for org in chain:  # deepest first
                if org.level == level:
                    return org
        return chain[0] if chain else None


def _recipients(org: Org) -> list:
    return [r.user for r in Role.objects.filter(org=org, kind__in=HANDLE_ROLES)
            .select_related("user")]  # fmt: skip


def _same_burst(subject: str, start: dt.datetime, slack: dt.timedelta) -> Alert | None:
    return (
        Alert.objects.filter(subject=subject, window_end__gte=start - slack)
        .order_by("-window_end")
        .first()
    )


def _raise_or_update(result: ScanResult, *, subject: str, slack: dt.timedelta, org: Org,
                     codes: list[str], start: dt.datetime, end: dt.datetime,
                     fields: dict) -> None:  # fmt: skip
    existing = _same_burst(subject, start, slack)
    if existing is not None:
        if existing.state == AlertState.CLOSED:
            return
        merged = sorted(set(existing.demand_codes) | set(codes))
        if merged == sorted(existing.demand_codes) and end <= existing.window_end:
            return
        existing.evidence = {**existing.evidence, **fields.get("evidence", {}),
                             "demand_codes": merged}  # fmt: skip
        by_codes = existing.kind == AlertKind.EMPLOYER_BURST
        existing.count = len(merged) if by_codes else max(existing.count, fields["count"])
        existing.window_end = max(existing.window_end, end)
        existing.save(update_fields=["evidence", "count", "window_end"])
        result.updated += 1
        return
    evidence = {**fields.pop("evidence", {}), "demand_codes": sorted(codes)}
    alert = Alert.objects.create(org=org, subject=subject, window_start=start, window_end=end,
                                 evidence=evidence, **fields)  # fmt: skip
    notify_users(_recipients(org), _("预警：%s") % alert.title, alert.get_kind_display(),
                 reverse("digests:alert", args=[alert.code]))  # fmt: skip
    result.raised.append(alert)


# --- Employer bursts ---------------------------------------------------------------------------
def _employer_name(row: dict) -> str:
    return row["employer_org__employer_name"] or row["employer_org__name"] or row["employer_name"]


def _recognise_employers(rows: list[dict], orgs: AlertOrgs) -> None:
    """Fill `row["recognised"]` from the text for demands that name no employer."""
    blank = [r for r in rows if not _employer_name(r)]
    if not blank:
        return
    from unionhome.text.cluster import Item, cluster_items

    regions = {orgs.for_path(r["org_path"]) for r in blank}
    paths = [o.path for o in regions if o is not None]
    known = sorted({
        employer or name
        for employer, name in Org.objects.filter(subtree_q("path", paths), kind=OrgKind.ENTERPRISE,
                                                 level=OrgLevel.GRASSROOTS, is_active=True)
        .order_by().values_list("employer_name", "name")
    }) if paths else []  # fmt: skip
    items = [Item(id=str(r["id"]), text=r["description"], employer=_employer_name(r) or "")
             for r in rows]  # fmt: skip
    recognised = cluster_items(items, known_employers=known, seed=0).employer
    for r in blank:
        r["recognised"] = recognised.get(str(r["id"])) or ""


def _bursts(times: list[dt.datetime], count: int, window: dt.timedelta) -> list[tuple[int, int]]:
    """Index ranges [i, j) of sorted times covered by windows holding at least `count` items;
    overlapping qualifying windows merge into one burst."""
    spans: list[tuple[int, int]] = []
    j = 0
    for i in range(len(times)):
        j = max(j, i)
        while j < len(times) and times[j] - times[i] < window:
            j += 1
        if j - i >= count:
            if spans and i < spans[-1][1]:
                spans[-1] = (spans[-1][0], j)
            else:
                spans.append((i, j))
    return spans


EMPLOYER_FIELDS = ("id", "code", "org_path", "employer_name", "employer_org__employer_name",
                   "employer_org__name", "description", "created_at", "category")  # fmt: skip


def scan_employer_bursts(now: dt.datetime, result: ScanResult, *, demands=None,
                         recognise: bool = True) -> None:  # fmt: skip
    t = thresholds()
    since = now - t.burst_window - dt.timedelta(days=1)
    demands = demands if demands is not None else Demand.objects.all()
    rows = list(
        demands.filter(created_at__gte=since, created_at__lte=now)
        .exclude(status=Status.MERGED)
        .order_by("created_at", "id")
        .values(*EMPLOYER_FIELDS)
    )
    orgs = AlertOrgs()
    orgs.load(r["org_path"] for r in rows)
    if recognise:
        _recognise_employers(rows, orgs)
    by_employer: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        name = _employer_name(r) or r.get("recognised", "")
        key = employer_key(name) if name else ""
        if key:
            r["display"] = name
            by_employer[key].append(r)
    for key, group in sorted(by_employer.items()):
        for i, j in _bursts([r["created_at"] for r in group], t.burst_count, t.burst_window):
            burst = group[i:j]
            target = Counter(orgs.for_path(r["org_path"]) for r in burst).most_common(1)[0][0]
            if target is None:
                continue
            name = Counter(r["display"] for r in burst).most_common(1)[0][0]
            categories = Counter(r["category"] for r in burst).most_common()
            days = max(1, (burst[-1]["created_at"] - burst[0]["created_at"]).days + 1)
            _raise_or_update(
                result, subject=f"employer:{key}", slack=t.burst_window, org=target,
                codes=[r["code"] for r in burst],
                start=burst[0]["created_at"], end=burst[-1]["created_at"],
                fields={
                    "kind": AlertKind.EMPLOYER_BURST, "employer_name": name[:160],
                    "category": categories[0][0], "region": target, "count": len(burst),
                    "threshold": float(t.burst_count),
                    "title": (_("%(employer)s：%(days)d天内%(n)d件诉求")
                              % {"employer": name, "days": days, "n": len(burst)})[:200],
                    "evidence": {
                        "rule": _("%(days)d天内同一单位不少于%(n)d件")
                        % {"days": t.burst_days, "n": t.burst_count},
                        "categories": [{"code": c, "count": n} for c, n in categories],
                    },
                },
            )  # fmt: skip


# --- Category surges ---------------------------------------------------------------------------
def weekly_counts(times: list[dt.datetime], now: dt.datetime, weeks: int) -> list[int]:
    """[this week, 1 week before, …, `weeks` weeks before]: 7-day buckets ending at `now`."""
    counts = [0] * (weeks + 1)
    for t in times:
        index = int((now - t) // WEEK)
        if 0 <= index <= weeks:
            counts[index] += 1
    return counts


def surge_rule(counts: list[int], k: float, minimum: int) -> tuple[bool, float, float, float]:
    """(raised, baseline mean, baseline sd, threshold) for [current, *baseline weeks]."""
    current, baseline = counts[0], counts[1:]
    mean = statistics.fmean(baseline) if baseline else 0.0
    sd = statistics.pstdev(baseline) if len(baseline) > 1 else 0.0
    threshold = mean + k * sd
    return current >= minimum and current > threshold, mean, sd, threshold


def scan_category_surges(now: dt.datetime, result: ScanResult, *, demands=None) -> None:
    t = thresholds()
    since = now - WEEK * (t.surge_weeks + 1)
    demands = demands if demands is not None else Demand.objects.all()
    rows = list(
        demands.filter(created_at__gt=since, created_at__lte=now)
        .exclude(status=Status.MERGED)
        .values_list("code", "org_path", "category", "created_at")
    )
    orgs = AlertOrgs()
    orgs.load(r[1] for r in rows)
    groups: dict[tuple[Org, str], list[tuple[str, dt.datetime]]] = defaultdict(list)
    for code, path, category, created in rows:
        region = orgs.for_path(path)
        if region is not None:
            groups[(region, category)].append((code, created))
    labels = dict(DemandCategory.choices)
    for (region, category), entries in sorted(
        groups.items(), key=lambda g: (g[0][0].path, g[0][1])
    ):
        counts = weekly_counts([c for _code, c in entries], now, t.surge_weeks)
        raised, mean, sd, threshold = surge_rule(counts, t.surge_k, t.surge_min)
        if not raised:
            continue
        start = now - WEEK
        codes = [code for code, created in entries if now - created < WEEK]
        _raise_or_update(
            result, subject=f"surge:{region.code}:{category}", slack=dt.timedelta(0), org=region,
            codes=codes, start=start, end=now,
            fields={
                "kind": AlertKind.CATEGORY_SURGE, "category": category, "region": region,
                "count": counts[0], "baseline_mean": round(mean, 2), "baseline_sd": round(sd, 2),
                "threshold": round(threshold, 2),
                "title": (_("%(region)s“%(category)s”类诉求近7天%(n)d件，明显高于常态")
                          % {"region": region.short_name or region.name,
                             "category": labels.get(category, category), "n": counts[0]})[:200],
                "evidence": {
                    "rule": _("近7天不少于%(min)d件且高于前%(w)d周均值+%(k)s倍标准差")
                    % {"min": t.surge_min, "w": t.surge_weeks, "k": f"{t.surge_k:g}"},
                    "weekly_counts": counts,
                },
            },
        )  # fmt: skip


# --- Entry points ------------------------------------------------------------------------------
@transaction.atomic
def scan_alerts(now: dt.datetime | None = None) -> ScanResult:
    """Look for bursts and surges ending at `now`; raises each one once (idempotent)."""
    now = now or timezone.now()
    result = ScanResult()
    scan_employer_bursts(now, result)
    scan_category_surges(now, result)
    return result


def backfill(days: int, now: dt.datetime | None = None) -> ScanResult:
    """Scan as if run once a day over the last `days` days (after an outage, or on demo data)."""
    now = now or timezone.now()
    total = ScanResult()
    for back in range(days, -1, -1):
        step = scan_alerts(now - dt.timedelta(days=back))
        total.raised += step.raised
        total.updated += step.updated
    return total


CHECK_FIELDS = ("employer_org_id", "org_path", "code", "category", "created_at")


def check_new_demand(demand_id: int, *, employer: bool = True, region: bool = True,
                     orgs: AlertOrgs | None = None, row: dict | None = None) -> ScanResult:  # fmt: skip
    """The cheap check after a submission: that demand's employer union and its county's
    category only (employers named in free text wait for the scan). Reads first, outside a
    transaction (on SQLite a transaction is a write lock); writes only when there is a burst."""
    result = ScanResult()
    check_employer, check_region = employer, region
    demand = row or Demand.objects.filter(pk=demand_id).values(*CHECK_FIELDS).first()
    if demand is None:
        return result
    now = max(timezone.now(), demand["created_at"])
    t = thresholds()
    live = Demand.objects.exclude(status=Status.MERGED)
    quiet_key = ("employer", demand["employer_org_id"])
    if check_employer and demand["employer_org_id"] and not _quiet_now(quiet_key, now):
        employer = live.filter(employer_org_id=demand["employer_org_id"])
        since = now - t.burst_window - dt.timedelta(days=1)
        counts = (
            employer.filter(created_at__gte=since, created_at__lte=now)
            .order_by()
            .aggregate(
                scan=Count("pk"), window=Count("pk", filter=Q(created_at__gt=now - t.burst_window))
            )
        )
        # Fewer rows in the scan's window than a burst needs: nothing the scan could raise.
        if counts["scan"] >= t.burst_count and not (
            counts["window"] >= t.burst_count
            and _current(_burst_alert(demand, now, t.burst_window), now, quiet_key, t.burst_window)
        ):  # the raised alert is current: nothing to write, so no write lock either
            with transaction.atomic():
                if counts["window"] < t.burst_count or not _add_to_open_burst(
                    demand, now, t.burst_window, result
                ):
                    scan_employer_bursts(now, result, recognise=False, demands=employer)
    region = (orgs or AlertOrgs()).for_path(demand["org_path"]) if check_region else None
    quiet_key = ("surge", region.path if region else "", demand["category"])
    if region is not None and not _quiet_now(quiet_key, now):
        category = live.filter(subtree_q("org_path", [region.path]), category=demand["category"])
        key = (region.path, demand["category"], t.surge_weeks)
        if now - demand["created_at"] >= WEEK:  # a back-dated entry changes the baseline
            _baselines.pop(key, None)
        counts = [category.filter(created_at__gt=now - WEEK, created_at__lte=now).count(),
                  *_baseline(key, category, now, t.surge_weeks)]  # fmt: skip
        raised, *_rest = surge_rule(counts, t.surge_k, t.surge_min)
        subject = f"surge:{region.code}:{demand['category']}"
        existing = _same_burst(subject, now - WEEK, dt.timedelta(0)) if raised else None
        if raised and not _current(existing, now, quiet_key, WEEK):
            with transaction.atomic():
                if not _add_to_open_surge(region, demand, counts, now, result):
                    scan_category_surges(now, result, demands=category)
    return result


# Weeks 1…n before now per (region path, category, n): they move slowly, so each process counts
# them once per BASELINE_TTL and every submission counts only the current week. Only a trigger:
# the scan that raises an alert recounts everything exactly.
BASELINE_TTL = dt.timedelta(minutes=10)
_baselines: dict[tuple[str, str, int], tuple[dt.datetime, list[int]]] = {}


@on_clear_all
def _forget_baselines() -> None:
    _baselines.clear()


def _baseline(key, demands, now: dt.datetime, weeks: int) -> list[int]:
    cached = _baselines.get(key)
    if cached is not None and abs(now - cached[0]) < BASELINE_TTL:
        return cached[1]
    counts = recent_weekly_counts(demands, now, weeks)[1:]
    if len(_baselines) > 50_000:  # regions × categories; bounded all the same
        _baselines.clear()
    _baselines[key] = (now, counts)
    return counts


def recent_weekly_counts(demands, now: dt.datetime, weeks: int) -> list[int]:
    """`weekly_counts` computed by the database: [this week, 1 week before, …]."""
    buckets = {
        f"w{i}": Count("pk", filter=Q(created_at__gt=now - WEEK * (i + 1),
                                      created_at__lte=now - WEEK * i))
        for i in range(weeks + 1)
    }  # fmt: skip
    counts = demands.filter(created_at__gt=now - WEEK * (weeks + 1), created_at__lte=now)
    row = counts.order_by().aggregate(**buckets)
    return [row[f"w{i}"] for i in range(weeks + 1)]


# A raised alert's evidence is brought up to date by a submission at most this often (and by
# every scan): during a surge of hundreds of demands an hour, rewriting the alert's growing list
# of codes on each one would cost more than the submission itself.
EVIDENCE_REFRESH = dt.timedelta(minutes=10)


def _current(alert: Alert | None, now: dt.datetime, quiet_key: tuple | None = None,
             reach: dt.timedelta | None = None) -> bool:  # fmt: skip
    """A raised alert a submission leaves alone: closed, or brought up to date lately. With
    `quiet_key`, this process skips the group's checks until that could change: a closed alert
    stays found for `reach` (the lookup's window) past its end, an open one current for
    EVIDENCE_REFRESH."""
    if alert is None:
        return False
    closed = alert.state == AlertState.CLOSED
    if not closed and now - alert.window_end >= EVIDENCE_REFRESH:
        return False
    if quiet_key is not None:
        if len(_quiet) > 50_000:
            _quiet.clear()
        _quiet[quiet_key] = alert.window_end + (reach if closed else EVIDENCE_REFRESH)
    return True


# Groups (employer union; county and category) whose raised alert a check found current, until
# when: another check meanwhile would find the same and change nothing, so a process skips it.
# New demands of the group reach the alert at its next refresh or the cron scan, as before.
_quiet: dict[tuple, dt.datetime] = {}


@on_clear_all
def _forget_quiet() -> None:
    _quiet.clear()


def _quiet_now(key: tuple, now: dt.datetime) -> bool:
    until = _quiet.get(key)
    return until is not None and now < until


def _burst_alert(demand: dict, now: dt.datetime, window: dt.timedelta) -> Alert | None:
    org = Org.objects.filter(pk=demand["employer_org_id"]).values("employer_name", "name").first()
    key = employer_key((org or {}).get("employer_name") or (org or {}).get("name") or "")
    return _same_burst(f"employer:{key}", now, window) if key else None


def _add_to_open_burst(demand: dict, now: dt.datetime, window: dt.timedelta,
                       result: ScanResult) -> bool:  # fmt: skip
    """The demand is in a burst (the window ending now holds enough): when that burst's alert
    is already raised, add the code to it instead of rescanning. False: no alert yet."""
    existing = _burst_alert(demand, now, window)
    if existing is None:
        return False
    if existing.state == AlertState.CLOSED or now - existing.window_end < EVIDENCE_REFRESH:
        return True
    codes = sorted({*existing.demand_codes, demand["code"]})
    existing.evidence = {**existing.evidence, "demand_codes": codes}
    existing.count = len(codes)
    existing.window_end = max(existing.window_end, now)
    existing.save(update_fields=["evidence", "count", "window_end"])
    result.updated += 1
    return True


def _add_to_open_surge(region: Org, demand: dict, counts: list[int], now: dt.datetime,
                       result: ScanResult) -> bool:  # fmt: skip
    """During a surge every submission would rescan the region's weeks to add one code to the
    alert already raised: add it directly (what the scan would store). False: no alert yet."""
    existing = _same_burst(f"surge:{region.code}:{demand['category']}", now - WEEK, dt.timedelta(0))
    if existing is None:
        return False
    if existing.state == AlertState.CLOSED or now - existing.window_end < EVIDENCE_REFRESH:
        return True
    codes = existing.demand_codes
    if demand["code"] not in codes:
        codes = sorted({*codes, demand["code"]})
    existing.evidence = {**existing.evidence, "weekly_counts": counts, "demand_codes": codes}
    existing.count = max(existing.count, counts[0])
    existing.window_end = max(existing.window_end, now)
    existing.save(update_fields=["evidence", "count", "window_end"])
    result.updated += 1
    return True


def check_new_demands(demand_ids: list[int]) -> None:
    """`check_new_demand` for a batch: the employer check once per employer union and the
    surge check once per county and category, each on the group's newest demand (the others
    are in the same counts), never failing the batch."""
    rows = {row["pk"]: row for row in
            Demand.objects.filter(pk__in=demand_ids).values("pk", *CHECK_FIELDS)}  # fmt: skip
    orgs = AlertOrgs()
    orgs.load([row["org_path"] for row in rows.values()])
    by_employer: dict[int, int] = {}
    by_region: dict[tuple, int] = {}
    for pk, row in rows.items():
        employer_id, path, category = row["employer_org_id"], row["org_path"], row["category"]
        if employer_id:
            by_employer[employer_id] = max(pk, by_employer.get(employer_id, 0))
        region = orgs.for_path(path)
        key = (region.path if region else "", category)
        by_region[key] = max(pk, by_region.get(key, 0))
    checks = dict.fromkeys(by_employer.values(), (True, False))
    for pk in by_region.values():
        checks[pk] = (checks.get(pk, (False, False))[0], True)
    for demand_id, (employer, region) in sorted(checks.items()):
        try:
            check_new_demand(demand_id, employer=employer, region=region, orgs=orgs,
                             row=rows[demand_id])  # fmt: skip
        except Exception:
            logger.exception("alert check after demand %s failed", demand_id)


_batch: list[int] | None = None  # ids collected while `batched_checks` is active (one thread)


@contextmanager
def batched_checks():
    """Within the block, new demands are checked once per group after the block's commit,
    instead of one check per demand (the intake worker's batches)."""
    global _batch
    outer, _batch = _batch, []
    try:
        yield
        ids = _batch
        if ids:
            transaction.on_commit(lambda: check_new_demands(ids))
    finally:
        _batch = outer


def on_demand_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save hook: after a new demand commits, check it (never failing the submission)."""
    if not created or raw or not getattr(settings, "UNIONHOME_ALERTS_ON_SUBMIT_ENABLED", True):
        return
    demand_id = instance.pk
    if _batch is not None:
        _batch.append(demand_id)
        return

    def check() -> None:
        try:
            check_new_demand(demand_id)
        except Exception:
            logger.exception("alert check after demand %s failed", demand_id)

    transaction.on_commit(check)


# --- Handling ----------------------------------------------------------------------------------
def visible_alerts(user):
    return Alert.objects.visible_to(user).select_related("org", "region")


def get_alert_for_user(user, code: str, *, write: bool = False) -> Alert:
    alert = visible_alerts(user).filter(code=code).first()
    if alert is None or (write and not covers(user, alert.org_path, HANDLE_ROLES)):
        raise Http404(_("没有找到该预警。"))
    return alert


def alert_demands(user, alert: Alert):
    """The evidence demands the user may open (scoped like every demand list)."""
    return (
        Demand.objects.visible_to(user).filter(code__in=alert.demand_codes).order_by("created_at")
    )


@transaction.atomic
def acknowledge_alert(user, alert: Alert, note: str = "") -> Alert:
    """new → acknowledged, by a cadre of the union holding it."""
    alert = get_alert_for_user(user, alert.code, write=True)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state != AlertState.NEW:
        raise ValidationError(_("该预警已处理过。"))
    alert.state, alert.acknowledged_at, alert.acknowledged_by = (
        AlertState.ACKNOWLEDGED, timezone.now(), user)  # fmt: skip
    if note:
        alert.note = note.strip()[:2000]
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "note"])
    audit.record(user, "alert.acknowledge", alert)
    return alert


@transaction.atomic
def close_alert(user, alert: Alert, note: str = "") -> Alert:
    """new/acknowledged → closed; a closed alert stays closed (the burst is not raised again)."""
    alert = get_alert_for_user(user, alert.code, write=True)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state == AlertState.CLOSED:
        raise ValidationError(_("该预警已关闭。"))
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, user
    alert.state, alert.closed_at, alert.closed_by = AlertState.CLOSED, now, user
    if note:
        alert.note = note.strip()[:2000]
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "closed_at",
                              "closed_by", "note"])  # fmt: skip
    audit.record(user, "alert.close", alert)
    return alert


def open_alert_count(user) -> int:
    return visible_alerts(user).filter(~Q(state=AlertState.CLOSED)).count()
