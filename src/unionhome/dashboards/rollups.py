"""Roll-ups: per-Org subtree figures kept in step with the raw rows.

Each demand and membership row *contributes* fixed amounts to the roll-up rows of the org that
holds it and of every ancestor (the org path's prefixes of steplen 4): a demand adds 1 to
`submitted` on the local day it was created, 1 to `resolved` (and its resolution time) on the day
it was resolved, 1 to `open` while it is open, and so on (`demand_contribution`). A roll-up is the
sum of the contributions of the rows in the subtree, nothing else; so

- maintaining it is `after − before` of the changed row, applied with `value = value + n`
  upserts (no read-modify-write race), in the transaction that changed the row;
- rebuilding it is a GROUP BY over path prefixes, and `check()` compares the two.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Count, F, Func, IntegerField, Max, Q, Sum, When
from django.db.models.functions import Length, Substr, TruncDate, TruncHour
from django.utils import timezone

from unionhome.orgs.models import Org

from .models import (
    DAILY_COLUMNS,
    DUE_COLUMNS,
    GAUGE_COLUMNS,
    DailyOrgCount,
    DueCount,
    DueDayCount,
    OrgGauge,
)

STEPLEN = 4
OPEN = ("submitted", "accepted", "in_progress")
DEMAND_FIELDS = ("org_path", "status", "escalated", "created_at", "resolved_at", "closed_at",
                 "rating", "rated_at", "ack_deadline", "resolve_deadline")  # fmt: skip
MEMBERSHIP_FIELDS = ("org_path", "status", "joined_on", "ended_on")


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every ancestor's, root first."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def epoch_seconds(value: dt.datetime) -> int:
    # Whole seconds, floored: what the database functions in `EpochSeconds` compute.
    return calendar.timegm(value.astimezone(dt.UTC).timetuple())


def due_hour(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def due_days(due: dict[dt.datetime, int]) -> dict[dt.date, int]:
    """Hour buckets (UTC) summed by UTC day: what `DueDayCount` holds."""
    out: dict[dt.date, int] = {}
    for hour, n in due.items():
        day = hour.astimezone(dt.UTC).date()
        out[day] = out.get(day, 0) + n
    return out


def overdue_boundary(now: dt.datetime | None = None) -> dt.datetime:
    """Overdue figures are exact as of the last whole hour (China has no half-hour offset)."""
    return due_hour(now or timezone.now())


@dataclass
class Contribution:
    """What some rows of one org add to that org's and its ancestors' roll-ups."""

    path: str
    daily: dict[dt.date, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    gauge: dict[str, int] = field(default_factory=dict)
    due: dict[dt.datetime, int] = field(default_factory=dict)

    def add_daily(self, day: dt.date, column: str, n: int) -> None:
        self.daily[day][column] = self.daily[day].get(column, 0) + n

    def add_gauge(self, column: str, n: int) -> None:
        self.gauge[column] = self.gauge.get(column, 0) + n

    def add_due(self, hour: dt.datetime, n: int) -> None:
        self.due[hour] = self.due.get(hour, 0) + n

    def scaled(self, factor: int) -> Contribution:
        out = Contribution(self.path)
        for day, cols in self.daily.items():
            for col, n in cols.items():
                out.add_daily(day, col, n * factor)
        for col, n in self.gauge.items():
            out.add_gauge(col, n * factor)
        for hour, n in self.due.items():
            out.add_due(hour, n * factor)
        return out

    def merge(self, other: Contribution) -> None:
        assert other.path == self.path  # noqa: S101 — a programming error, not input
        for day, cols in other.daily.items():
            for col, n in cols.items():
                self.add_daily(day, col, n)
        for col, n in other.gauge.items():
            self.add_gauge(col, n)
        for hour, n in other.due.items():
            self.add_due(hour, n)


def demand_due_at(row: dict) -> dt.datetime:
    """When an open demand becomes overdue: the acknowledge deadline while unacknowledged, the
    resolve deadline always (`Demand.objects.overdue`)."""
    if row["status"] == "submitted":
        return min(row["ack_deadline"], row["resolve_deadline"])
    return row["resolve_deadline"]


def demand_contribution(row: dict | None, n: int = 1) -> Contribution | None:
    if row is None:
        return None
    c = Contribution(row["org_path"])
    c.add_daily(local_day(row["created_at"]), "submitted", n)
    if row["resolved_at"] is not None:
        day = local_day(row["resolved_at"])
        c.add_daily(day, "resolved", n)
        seconds = epoch_seconds(row["resolved_at"]) - epoch_seconds(row["created_at"])
        c.add_daily(day, "resolution_seconds", n * seconds)
    if row["status"] == "closed" and row["closed_at"] is not None:
        c.add_daily(local_day(row["closed_at"]), "closed", n)
    if row["rating"] is not None and row["rated_at"] is not None:
        day = local_day(row["rated_at"])
        c.add_daily(day, "rated", n)
        c.add_daily(day, "rating_sum", n * row["rating"])
    if row["status"] in OPEN:
        c.add_gauge("open", n)
        if row["escalated"]:
            c.add_gauge("escalated_open", n)
        c.add_due(due_hour(demand_due_at(row)), n)
    return c


def membership_contribution(row: dict | None, n: int = 1) -> Contribution | None:
    if row is None:
        return None
    c = Contribution(row["org_path"])
    c.add_daily(row["joined_on"], "joined", n)
    if row["ended_on"] is not None:
        c.add_daily(row["ended_on"], "ended", n)
    if row["status"] == "active":
        c.add_gauge("members", n)
    return c


# --- Writing ----------------------------------------------------------------------------------
def _upsert(model, keys: tuple[str, ...], columns: Iterable[str], rows: list[tuple]) -> None:
    """`INSERT … ON CONFLICT (keys) DO UPDATE SET c = c + excluded.c` (SQLite ≥ 3.24 and
    PostgreSQL alike): concurrent writers add, nobody overwrites."""
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    names = [*keys, *columns]
    sql = (
        f"INSERT INTO {table} ({', '.join(q(n) for n in names)}) "  # noqa: S608 — names are ours
        f"VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET "
        + ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in columns)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def write(org_ids: list[int], c: Contribution, sign: int = 1) -> None:
    """Add the contribution (times `sign`) to the roll-up rows of each org in `org_ids`."""
    write_many([(org_ids, c)], sign)


def write_many(pairs: list[tuple[list[int], Contribution]], sign: int = 1) -> None:
    """`write` for several (org ids, contribution) pairs, one upsert statement per table."""
    rows: dict = {DailyOrgCount: [], OrgGauge: [], DueCount: [], DueDayCount: []}
    for org_ids, c in pairs:
        if org_ids:
            _rows(rows, org_ids, c, sign)
    _upsert(DailyOrgCount, ("org_id", "day"), DAILY_COLUMNS, rows[DailyOrgCount])
    _upsert(OrgGauge, ("org_id",), GAUGE_COLUMNS, rows[OrgGauge])
    _upsert(DueCount, ("org_id", "due_hour"), DUE_COLUMNS, rows[DueCount])
    _upsert(DueDayCount, ("org_id", "due_day"), DUE_COLUMNS, rows[DueDayCount])


def _rows(rows: dict, org_ids: list[int], c: Contribution, sign: int) -> None:
    daily = [
        (day, [sign * cols.get(col, 0) for col in DAILY_COLUMNS])
        for day, cols in sorted(c.daily.items())
    ]
    daily = [(day, values) for day, values in daily if any(values)]
    gauge = [sign * c.gauge.get(col, 0) for col in GAUGE_COLUMNS]
    due = [(hour, sign * n) for hour, n in sorted(c.due.items()) if n]
    rows[DailyOrgCount] += [(org_id, _date(day), *values) for org_id in org_ids
                            for day, values in daily]  # fmt: skip
    if any(gauge):
        rows[OrgGauge] += [(org_id, *gauge) for org_id in org_ids]
    rows[DueCount] += [(org_id, _datetime(hour), n) for org_id in org_ids for hour, n in due]
    days = [(day, n) for day, n in sorted(due_days(dict(due)).items()) if n]
    rows[DueDayCount] += [(org_id, _date(day), n) for org_id in org_ids for day, n in days]


def org_ids_for(paths: list[str]) -> list[int]:
    return list(Org.objects.filter(path__in=paths).values_list("pk", flat=True))


def apply_change(before: Contribution | None, after: Contribution | None) -> None:
    """Move the roll-ups from a row's old contribution to its new one (either may be None)."""
    if before is not None and after is not None and before.path == after.path:
        delta = after.scaled(1)
        delta.merge(before.scaled(-1))
        write(org_ids_for(ancestor_paths(after.path)), delta)
        return
    if before is not None:
        write(org_ids_for(ancestor_paths(before.path)), before, -1)
    if after is not None:
        write(org_ids_for(ancestor_paths(after.path)), after)


_deferred: list[Contribution] | None = None  # new rows' contributions inside `batched()`


def defer(c: Contribution | None) -> bool:
    """Inside `batched()`, keep a new row's contribution for the block's end (True)."""
    if _deferred is None or c is None:
        return False
    _deferred.append(c)
    return True


@contextmanager
def batched():
    """New rows saved inside the block are added to the roll-ups once per org path at its end
    (in the same transaction), not once per row: the intake worker's batches."""
    global _deferred
    outer, _deferred = _deferred, []
    try:
        yield
        by_path: dict[str, Contribution] = {}
        for c in _deferred:
            if c.path in by_path:
                by_path[c.path].merge(c)
            else:
                by_path[c.path] = c
        wanted = {a for path in by_path for a in ancestor_paths(path)}
        ids = dict(Org.objects.filter(path__in=wanted).values_list("path", "pk"))
        write_many([([ids[a] for a in ancestor_paths(path) if a in ids], c)
                    for path, c in by_path.items()])  # fmt: skip
    finally:
        _deferred = outer


def org_rollup(org_id: int) -> Contribution:
    """An org's own roll-up rows, read back as a contribution (its subtree's total)."""
    c = Contribution("")
    for row in DailyOrgCount.objects.filter(org_id=org_id).values("day", *DAILY_COLUMNS):
        for col in DAILY_COLUMNS:
            if row[col]:
                c.add_daily(row["day"], col, row[col])
    gauge = OrgGauge.objects.filter(org_id=org_id).values(*GAUGE_COLUMNS).first() or {}
    for col, n in gauge.items():
        if n:
            c.add_gauge(col, n)
    for hour, n in DueCount.objects.filter(org_id=org_id).values_list("due_hour", "open"):
        if n:
            c.add_due(hour, n)
    return c


def subtree_moved(org: Org, old_path: str, new_path: str) -> None:
    """A subtree moved: its root's roll-up (its whole subtree) leaves the old ancestors and
    joins the new ones; rows inside the subtree are keyed by org and stay right."""
    moved = org_rollup(org.pk)
    write(org_ids_for(ancestor_paths(old_path)[:-1]), moved, -1)
    write(org_ids_for(ancestor_paths(new_path)[:-1]), moved)


# --- Reading rows -----------------------------------------------------------------------------
def demand_row(pk) -> dict | None:
    from unionhome.demands.models import Demand

    return Demand.objects.filter(pk=pk).values(*DEMAND_FIELDS).first()


def membership_row(pk) -> dict | None:
    from unionhome.members.models import Membership

    return Membership.objects.filter(pk=pk).values(*MEMBERSHIP_FIELDS).first()


def rows_inserted(model, queryset) -> None:
    """Bulk-inserted rows: their contributions, grouped so that a 100,000-row roster costs a
    handful of upserts."""
    if model._meta.label_lower == "members.membership":
        fields, contribute = MEMBERSHIP_FIELDS, membership_contribution
    elif model._meta.label_lower == "demands.demand":
        fields, contribute = DEMAND_FIELDS, demand_contribution
    else:
        return
    by_path: dict[str, Contribution] = {}
    for row in queryset.order_by().values(*fields).annotate(n=Count("pk")):
        c = contribute(row, row.pop("n"))
        if c.path in by_path:
            by_path[c.path].merge(c)
        else:
            by_path[c.path] = c
    for path, c in by_path.items():
        write(org_ids_for(ancestor_paths(path)), c)


# --- Rebuild and check ------------------------------------------------------------------------
class EpochSeconds(Func):
    """Whole seconds since 1970 (floored), the same on SQLite and PostgreSQL."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "unixepoch(%(expressions)s)"  # SQLite ≥ 3.38; whole seconds
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)


Expected = dict[str, dict]  # table → {key: values}


def _prefix_rows(qs, depth: int):
    length = depth * STEPLEN
    return (
        qs.annotate(plen=Length("org_path"))
        .filter(plen__gte=length)
        .annotate(p=Substr("org_path", 1, length))
        .order_by()
    )


def expected_for_depth(depth: int) -> dict[str, dict[str, dict]]:
    """Full recount from the raw rows for every org at `depth`: {path: {daily|gauge|due: …}}."""
    from unionhome.demands.models import Demand
    from unionhome.members.models import Membership

    out: dict[str, Contribution] = {}

    def c(path: str) -> Contribution:
        if path not in out:
            out[path] = Contribution(path)
        return out[path]

    demands = _prefix_rows(Demand.objects.all(), depth)
    for r in demands.annotate(d=TruncDate("created_at")).values("p", "d").annotate(n=Count("pk")):
        c(r["p"]).add_daily(r["d"], "submitted", r["n"])
    resolved = (
        demands.filter(resolved_at__isnull=False)
        .annotate(d=TruncDate("resolved_at"))
        .values("p", "d")
        .annotate(n=Count("pk"), s=Sum(EpochSeconds("resolved_at") - EpochSeconds("created_at")))
    )
    for r in resolved:
        c(r["p"]).add_daily(r["d"], "resolved", r["n"])
        c(r["p"]).add_daily(r["d"], "resolution_seconds", int(r["s"]))
    closed = demands.filter(status="closed", closed_at__isnull=False).annotate(
        d=TruncDate("closed_at")
    )
    for r in closed.values("p", "d").annotate(n=Count("pk")):
        c(r["p"]).add_daily(r["d"], "closed", r["n"])
    rated = demands.filter(rating__isnull=False, rated_at__isnull=False).annotate(
        d=TruncDate("rated_at")
    )
    for r in rated.values("p", "d").annotate(n=Count("pk"), s=Sum("rating")):
        c(r["p"]).add_daily(r["d"], "rated", r["n"])
        c(r["p"]).add_daily(r["d"], "rating_sum", r["s"])
    open_ = demands.filter(status__in=OPEN)
    for r in open_.values("p").annotate(n=Count("pk"), e=Count("pk", filter=Q(escalated=True))):
        c(r["p"]).add_gauge("open", r["n"])
        c(r["p"]).add_gauge("escalated_open", r["e"])
    due_at = Case(
        When(Q(status="submitted", ack_deadline__lt=F("resolve_deadline")), then=F("ack_deadline")),
        default=F("resolve_deadline"),
    )
    due = (
        open_.annotate(h=TruncHour(due_at, tzinfo=dt.UTC)).values("p", "h").annotate(n=Count("pk"))
    )
    for r in due:
        c(r["p"]).add_due(r["h"], r["n"])

    members = _prefix_rows(Membership.objects.all(), depth)
    for r in members.values("p", "joined_on").annotate(n=Count("pk")):
        c(r["p"]).add_daily(r["joined_on"], "joined", r["n"])
    for r in members.filter(ended_on__isnull=False).values("p", "ended_on").annotate(n=Count("pk")):
        c(r["p"]).add_daily(r["ended_on"], "ended", r["n"])
    for r in members.filter(status="active").values("p").annotate(n=Count("pk")):
        c(r["p"]).add_gauge("members", r["n"])
    return out


def _normalised(c: Contribution) -> dict:
    return {
        "daily": {d: {k: v for k, v in cols.items() if v} for d, cols in c.daily.items()
                  if any(cols.values())},
        "gauge": {k: v for k, v in c.gauge.items() if v},
        "due": {h: n for h, n in c.due.items() if n},
        "due_day": {d: n for d, n in due_days(c.due).items() if n},
    }  # fmt: skip


def max_depth() -> int:
    longest = Org.objects.aggregate(m=Max("depth"))
    return longest["m"] or 0


@dataclass
class Difference:
    org_path: str
    table: str
    key: str
    stored: object
    recounted: object


def check(progress=None, method: str | None = None) -> list[Difference]:
    """Compare every stored roll-up with a full recount from the raw rows.

    `method` "orm" recounts each level through the ORM into Python dicts (any database; a
    level's recount is held in memory, fine for a province). "sql" (PostgreSQL, the default
    there) recounts each level in the server and returns only the differences: for the national
    scale, where a level holds tens of millions of rows."""
    if method is None:
        method = "sql" if connection.vendor == "postgresql" else "orm"
    if method == "sql":
        return _check_postgresql(progress)
    return _check_orm(progress)


def _check_orm(progress=None) -> list[Difference]:
    differences: list[Difference] = []
    depths = max_depth()
    if progress is not None:
        progress.start(depths, "核对汇总数据")
    for depth in range(1, depths + 1):
        expected = expected_for_depth(depth)
        orgs = dict(Org.objects.filter(depth=depth).values_list("pk", "path"))
        stored = {path: Contribution(path) for path in orgs.values()}
        for row in DailyOrgCount.objects.filter(org__depth=depth).values(
            "org_id", "day", *DAILY_COLUMNS
        ):
            for col in DAILY_COLUMNS:
                if row[col]:
                    stored[orgs[row["org_id"]]].add_daily(row["day"], col, row[col])
        for row in OrgGauge.objects.filter(org__depth=depth).values("org_id", *GAUGE_COLUMNS):
            for col in GAUGE_COLUMNS:
                if row[col]:
                    stored[orgs[row["org_id"]]].add_gauge(col, row[col])
        for org_id, hour, n in DueCount.objects.filter(org__depth=depth).values_list(
            "org_id", "due_hour", "open"
        ):
            if n:
                stored[orgs[org_id]].add_due(hour, n)
        stored_days: dict[str, dict[dt.date, int]] = defaultdict(dict)
        for org_id, day, n in DueDayCount.objects.filter(org__depth=depth).values_list(
            "org_id", "due_day", "open"
        ):
            if n:
                stored_days[orgs[org_id]][day] = n
        for path in sorted(set(stored) | set(expected)):
            have = _normalised(stored.get(path, Contribution(path)))
            have["due_day"] = stored_days.get(path, {})
            want = _normalised(expected.get(path, Contribution(path)))
            for table in ("daily", "gauge", "due", "due_day"):
                for key in sorted(set(have[table]) | set(want[table]), key=str):
                    a, b = have[table].get(key), want[table].get(key)
                    if a != b:
                        differences.append(Difference(path, table, str(key), a, b))
        if progress is not None:
            progress.advance()
    return differences


def rebuild(progress=None) -> dict[str, int]:
    """Throw the roll-ups away and recompute them from the raw rows, level by level."""
    if connection.vendor == "postgresql":
        return _rebuild_postgresql(progress)
    with transaction.atomic():
        DailyOrgCount.objects.all().delete()
        OrgGauge.objects.all().delete()
        DueCount.objects.all().delete()
        DueDayCount.objects.all().delete()
        depths = max_depth()
        if progress is not None:
            progress.start(depths, "重算汇总数据")
        for depth in range(1, depths + 1):
            ids = dict(Org.objects.filter(depth=depth).values_list("path", "pk"))
            for path, c in expected_for_depth(depth).items():
                if path in ids:
                    write([ids[path]], c)
            if progress is not None:
                progress.advance()
        return table_counts(depths)


def table_counts(depths: int) -> dict[str, int]:
    return {
        "levels": depths,
        "daily_rows": DailyOrgCount.objects.count(),
        "gauge_rows": OrgGauge.objects.count(),
        "due_rows": DueCount.objects.count(),
        "due_day_rows": DueDayCount.objects.count(),
    }


# PostgreSQL: the same definitions as `demand_contribution`/`membership_contribution`, in SQL, so
# that ten million demands roll up in minutes on the server (one pass over the raw rows into
# per-org totals, then one GROUP BY over path prefixes per level). Tested against `check()`.
_OWN_DAILY = """
CREATE TEMP TABLE rollup_own_daily ON COMMIT DROP AS
SELECT org_path AS path, day, sum(submitted) AS submitted, sum(resolved) AS resolved,
       sum(resolution_seconds) AS resolution_seconds, sum(closed) AS closed,
       sum(rated) AS rated, sum(rating_sum) AS rating_sum, sum(joined) AS joined,
       sum(ended) AS ended
FROM (
  SELECT org_path, (created_at AT TIME ZONE %(tz)s)::date AS day, 1 AS submitted, 0 AS resolved,
         0::bigint AS resolution_seconds, 0 AS closed, 0 AS rated, 0 AS rating_sum, 0 AS joined,
         0 AS ended
    FROM demands_demand
  UNION ALL
  SELECT org_path, (resolved_at AT TIME ZONE %(tz)s)::date, 0, 1,
         (FLOOR(EXTRACT(EPOCH FROM resolved_at)) - FLOOR(EXTRACT(EPOCH FROM created_at)))::bigint,
         0, 0, 0, 0, 0
    FROM demands_demand WHERE resolved_at IS NOT NULL
  UNION ALL
  SELECT org_path, (closed_at AT TIME ZONE %(tz)s)::date, 0, 0, 0, 1, 0, 0, 0, 0
    FROM demands_demand WHERE status = 'closed' AND closed_at IS NOT NULL
  UNION ALL
  SELECT org_path, (rated_at AT TIME ZONE %(tz)s)::date, 0, 0, 0, 0, 1, rating, 0, 0
    FROM demands_demand WHERE rating IS NOT NULL AND rated_at IS NOT NULL
  UNION ALL
  SELECT org_path, joined_on, 0, 0, 0, 0, 0, 0, 1, 0 FROM members_membership
  UNION ALL
  SELECT org_path, ended_on, 0, 0, 0, 0, 0, 0, 0, 1
    FROM members_membership WHERE ended_on IS NOT NULL
) x GROUP BY org_path, day
"""
_OWN_GAUGE = """
CREATE TEMP TABLE rollup_own_gauge ON COMMIT DROP AS
SELECT path, sum(open) AS open, sum(escalated_open) AS escalated_open, sum(members) AS members
FROM (
  SELECT org_path AS path, count(*) AS open, count(*) FILTER (WHERE escalated) AS escalated_open,
         0 AS members
    FROM demands_demand WHERE status = ANY(%(open)s) GROUP BY org_path
  UNION ALL
  SELECT org_path, 0, 0, count(*) FROM members_membership WHERE status = 'active'
   GROUP BY org_path
) x GROUP BY path
"""
_OWN_DUE = """
CREATE TEMP TABLE rollup_own_due ON COMMIT DROP AS
SELECT org_path AS path,
       date_trunc('hour', CASE WHEN status = 'submitted' AND ack_deadline < resolve_deadline
                               THEN ack_deadline ELSE resolve_deadline END) AS due_hour,
       count(*) AS open
  FROM demands_demand WHERE status = ANY(%(open)s) GROUP BY 1, 2
"""
# Each level from the level below: (key columns, value columns) of the temp tables.
_KINDS = {
    "daily": (("day",), DAILY_COLUMNS),
    "gauge": ((), GAUGE_COLUMNS),
    "due": (("due_hour",), DUE_COLUMNS),
}
ROLLUP_MODELS = (DailyOrgCount, OrgGauge, DueCount, DueDayCount)


def _level_sql(kind: str, depth: int, has_below: bool) -> str:
    """Temp table `rollup_<kind>_<depth>`: the figures of every path at `depth`, summed from the
    level below (already subtree totals) and the rows held at that depth itself."""
    keys, values = _KINDS[kind]
    cols = ", ".join(["path", *keys, *values])
    sums = ", ".join(f"sum({v})::bigint AS {v}" for v in values)
    group = ", ".join(str(i) for i in range(1, len(keys) + 2))
    n = depth * STEPLEN
    below = ""
    if has_below:
        below = f"SELECT {cols} FROM rollup_{kind}_{depth + 1} UNION ALL "  # noqa: S608
    key_cols = "".join(f"{k}, " for k in keys)
    if not has_below:
        # The deepest level: the own rows are already one per (path, key), nothing to sum.
        return (
            f"CREATE TEMP TABLE rollup_{kind}_{depth} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {cols} FROM rollup_own_{kind} WHERE length(path) = {n}"
        )
    return (
        f"CREATE TEMP TABLE rollup_{kind}_{depth} ON COMMIT DROP AS "  # noqa: S608 — our names
        f"SELECT substr(path, 1, {n}) AS path, {key_cols}{sums}"
        f" FROM ({below}SELECT {cols} FROM rollup_own_{kind} WHERE length(path) = {n}) x"
        f" GROUP BY {group}"
    )


def _insert_sql(kind: str, depth: int, table: str) -> str:
    keys, values = _KINDS[kind]
    cols = ", ".join([*keys, *values])
    return (
        f"INSERT INTO {table} (org_id, {cols}) "  # noqa: S608 — our names
        f"SELECT o.id, {', '.join('a.' + c for c in [*keys, *values])}"
        f" FROM rollup_{kind}_{depth} a JOIN rollup_orgs o ON o.path = a.path"
    )


def _due_day_sql(depth: int, table: str) -> str:
    return (
        f"INSERT INTO {table} (org_id, due_day, open) "  # noqa: S608 — our names
        "SELECT o.id, (a.due_hour AT TIME ZONE 'UTC')::date, sum(a.open)"
        f" FROM rollup_due_{depth} a JOIN rollup_orgs o ON o.path = a.path GROUP BY 1, 2"
    )


def _shadow(cursor, table: str) -> str:
    """An empty copy of `table` (columns, defaults, identity; no index or constraint yet)."""
    new = f"{table}_rebuild"
    cursor.execute(f"DROP TABLE IF EXISTS {new}")
    cursor.execute(f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)")
    return new


def _index_shadow(cursor, table: str, new: str) -> list[str]:
    """Give the filled shadow table the live table's constraints and indexes, built once over
    all rows (no per-row index upkeep, no per-row deferred foreign-key triggers), under
    temporary names; return the statements that rename them once the live table is gone."""
    renames = []
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'c', 'x', 'f')"
        " ORDER BY contype = 'f', conname",
        [table],
    )
    for i, (name, definition) in enumerate(cursor.fetchall()):
        temp = f"{new}_c{i}"
        cursor.execute(f'ALTER TABLE {new} ADD CONSTRAINT "{temp}" {definition}')
        renames.append(f'ALTER TABLE {table} RENAME CONSTRAINT "{temp}" TO "{name}"')
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"
        " AND c.conrelid = x.indrelid)",
        [table],
    )
    for i, (name, definition) in enumerate(cursor.fetchall()):
        temp = f"{new}_i{i}"
        definition = re.sub(
            r"^(CREATE (?:UNIQUE )?INDEX )\S+ ON (?:ONLY )?\S+ ",
            rf'\1"{temp}" ON {new} ',
            definition,
        )
        cursor.execute(definition)
        renames.append(f'ALTER INDEX "{temp}" RENAME TO "{name}"')
    return renames


def _swap(cursor, table: str, new: str, renames: list[str], has_id: bool) -> None:
    """Replace the live table by its shadow, under the live names."""
    sequence = None
    if has_id:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for sql in renames:
        cursor.execute(sql)
    if sequence:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        current = cursor.fetchone()[0]
        cursor.execute(f'ALTER SEQUENCE {current} RENAME TO "{sequence.split(".")[-1]}"')
    cursor.execute(f"ANALYZE {table}")


def _rebuild_postgresql(progress=None) -> dict[str, int]:
    """Build the roll-ups into shadow tables and swap them in, in one transaction.

    One pass over the raw rows gives each path's own figures (temp tables); then, from the
    deepest level up, each level is the GROUP BY of the level below plus the rows held at that
    level, so the tens of millions of grassroots rows are read once, not once per level.
    Readers keep reading the old tables until the swap. The live roll-up tables are locked
    against writes (EXCLUSIVE) before the snapshot is taken: a demand saved meanwhile waits at
    its roll-up upsert and adds its change to the new tables after the commit, so nothing is
    lost or counted twice."""
    from django.conf import settings

    outermost = not connection.in_atomic_block
    tables = [m._meta.db_table for m in ROLLUP_MODELS]
    params = {"tz": settings.TIME_ZONE, "open": list(OPEN)}
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            # Every statement below sees the same rows (taken at the first query after the lock).
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # Inside a caller's transaction (the tests) its deferred FK checks on the live tables
        # must fire now: a table with pending trigger events cannot be dropped.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
        cursor.execute("SELECT max(depth) FROM orgs_org")
        org_depth = cursor.fetchone()[0] or 0
        if progress is not None:
            progress.start(org_depth + 3, "重算汇总数据：逐组织汇总原始数据")
        cursor.execute(
            "CREATE TEMP TABLE rollup_orgs ON COMMIT DROP AS SELECT id, path FROM orgs_org"
        )
        cursor.execute("CREATE INDEX ON rollup_orgs (path)")
        cursor.execute("ANALYZE rollup_orgs")
        for sql in (_OWN_DAILY, _OWN_GAUGE, _OWN_DUE):
            cursor.execute(sql, params)
        cursor.execute(
            "SELECT max(length(path)) FROM (SELECT path FROM rollup_own_daily UNION ALL"
            " SELECT path FROM rollup_own_gauge UNION ALL SELECT path FROM rollup_own_due) x"
        )
        depths = max(org_depth, (cursor.fetchone()[0] or 0) // STEPLEN)
        if progress is not None:
            progress.total = depths + 3
            progress.advance()
        shadows = {table: _shadow(cursor, table) for table in tables}
        daily, gauge, due, due_day = (shadows[t] for t in tables)
        for depth in range(depths, 0, -1):
            if progress is not None:
                progress.phase(f"重算汇总数据：第{depth}级")
            for kind, target in (("daily", daily), ("gauge", gauge), ("due", due)):
                cursor.execute(_level_sql(kind, depth, depth < depths))
                cursor.execute(f"ANALYZE rollup_{kind}_{depth}")
                cursor.execute(_insert_sql(kind, depth, target))
                if depth < depths:
                    cursor.execute(f"DROP TABLE rollup_{kind}_{depth + 1}")
            cursor.execute(_due_day_sql(depth, due_day))
            if progress is not None:
                progress.advance()
        if progress is not None:
            progress.phase("重算汇总数据：建索引和约束")
        renames = {table: _index_shadow(cursor, table, shadows[table]) for table in tables}
        if progress is not None:
            progress.advance()
            progress.phase("重算汇总数据：换表")
        for model in ROLLUP_MODELS:
            table = model._meta.db_table
            _swap(cursor, table, shadows[table], renames[table], model._meta.pk.name == "id")
        if progress is not None:
            progress.advance()
        # ON COMMIT DROP does not fire inside a caller's transaction: drop them now.
        temps = ["rollup_orgs", *(f"rollup_own_{kind}" for kind in _KINDS)]
        if depths:
            temps += [f"rollup_{kind}_1" for kind in _KINDS]
        cursor.execute(f"DROP TABLE {', '.join(temps)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return table_counts(depths)


# The check in SQL: each level recounted straight from the per-path totals of the raw rows
# (GROUP BY the path prefix, not from the level below as the rebuild does), FULL JOINed with the
# stored rows of the orgs at that level; only rows that differ come back. Zero rows are ignored.
_CHECK = {
    "daily": (
        "dashboards_dailyorgcount",
        ("day",),
        DAILY_COLUMNS,
        "SELECT substr(path, 1, {n}) AS path, day, {sums} FROM rollup_own_daily"
        " WHERE length(path) >= {n} GROUP BY 1, 2",
    ),
    "gauge": (
        "dashboards_orggauge",
        (),
        GAUGE_COLUMNS,
        "SELECT substr(path, 1, {n}) AS path, {sums} FROM rollup_own_gauge"
        " WHERE length(path) >= {n} GROUP BY 1",
    ),
    "due": (
        "dashboards_duecount",
        ("due_hour",),
        DUE_COLUMNS,
        "SELECT substr(path, 1, {n}) AS path, due_hour, {sums} FROM rollup_own_due"
        " WHERE length(path) >= {n} GROUP BY 1, 2",
    ),
    "due_day": (
        "dashboards_duedaycount",
        ("due_day",),
        DUE_COLUMNS,
        "SELECT substr(path, 1, {n}) AS path, (due_hour AT TIME ZONE 'UTC')::date AS due_day,"
        " {sums} FROM rollup_own_due WHERE length(path) >= {n} GROUP BY 1, 2",
    ),
}


def _check_sql(kind: str, depth: int) -> str:
    table, keys, values, recount = _CHECK[kind]
    n = depth * STEPLEN
    sums = ", ".join(f"sum({v})::bigint AS {v}" for v in values)
    stored = (
        f"SELECT o.path, {''.join(f's.{k}, ' for k in keys)}"  # noqa: S608 — our names
        f"{', '.join(f's.{v}' for v in values)} FROM {table} s"
        f" JOIN orgs_org o ON o.id = s.org_id WHERE o.depth = {depth}"
    )
    on = " AND ".join(["r.path = s.path", *(f"r.{k} = s.{k}" for k in keys)])
    have = ", ".join(f"coalesce(s.{v}, 0)" for v in values)
    want = ", ".join(f"coalesce(r.{v}, 0)" for v in values)
    return (
        f"SELECT coalesce(r.path, s.path), {''.join(f'coalesce(r.{k}, s.{k}), ' for k in keys)}"  # noqa: S608
        f"{have}, {want} FROM ({recount.format(n=n, sums=sums)}) r FULL JOIN ({stored}) s"
        f" ON {on} WHERE ({have}) IS DISTINCT FROM ({want}) ORDER BY 1, 2"
    )


def _check_postgresql(progress=None) -> list[Difference]:
    from django.conf import settings

    outermost = not connection.in_atomic_block
    differences: list[Difference] = []
    params = {"tz": settings.TIME_ZONE, "open": list(OPEN)}
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        depths = max_depth()
        if progress is not None:
            progress.start(depths + 1, "核对汇总数据：逐组织汇总原始数据")
        for sql in (_OWN_DAILY, _OWN_GAUGE, _OWN_DUE):
            cursor.execute(sql, params)
        if progress is not None:
            progress.advance()
        for depth in range(1, depths + 1):
            if progress is not None:
                progress.phase(f"核对汇总数据：第{depth}级")
            for kind, (_table, keys, values, _sql) in _CHECK.items():
                cursor.execute(_check_sql(kind, depth))
                for row in cursor.fetchall():
                    path, key = row[0], row[1 : 1 + len(keys)]
                    have = row[1 + len(keys) : 1 + len(keys) + len(values)]
                    want = row[1 + len(keys) + len(values) :]
                    if kind == "daily":
                        a = {c: v for c, v in zip(values, have, strict=True) if v} or None
                        b = {c: v for c, v in zip(values, want, strict=True) if v} or None
                        differences.append(Difference(path, kind, str(key[0]), a, b))
                    elif kind == "gauge":
                        for col, a, b in zip(values, have, want, strict=True):
                            if a != b:
                                differences.append(Difference(path, kind, col, a or None,
                                                              b or None))  # fmt: skip
                    else:
                        differences.append(Difference(path, kind, str(key[0]), have[0] or None,
                                                      want[0] or None))  # fmt: skip
            if progress is not None:
                progress.advance()
        cursor.execute("DROP TABLE rollup_own_daily, rollup_own_gauge, rollup_own_due")
    order = {kind: i for i, kind in enumerate(_CHECK)}
    differences.sort(key=lambda d: (d.org_path, order[d.table]))
    return differences
