"""National dashboard benchmark: 3,000,000 Orgs and 10,000,000 demands on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres bench_dash
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dash python bench/dashboard.py
    DATABASE_URL=… python bench/dashboard.py --reuse          # keep the data, time again
    python bench/dashboard.py --orgs 2000 --demands 20000      # small, SQLite (the test suite)

What it does and prints:
- generates a realistic tree (1 national, 31 provinces, ~330 cities, ~2,800 counties, ~40,000
  streets, the rest grassroots unions) and demands over the last year (most at grassroots, some
  at streets and counties; older ones mostly resolved/rated/closed, recent ones mostly open), with
  COPY from two processes on PostgreSQL (multi-row INSERTs on SQLite), secondary indexes dropped
  during the load and rebuilt after; then the roll-ups with `rollups.rebuild()` (what
  `manage.py rebuild_rollups` runs). Time and peak memory of each phase;
- the national dashboard page (GET /dashboards/?org=… through Django's test client, template
  rendered) p50/p99 over N runs for 30 days and a year, and a province and a street page;
- baseline in the same run: the same figures for the national page's children computed naively
  with one COUNT … GROUP BY over the raw demands table; the two must agree (exit 1 otherwise).
Goal: national page p99 under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Share of each level among all orgs at full scale (3,000,000): the rest are grassroots unions.
LEVELS = [("national", 1), ("province", 31), ("city", 330), ("county", 2800),
          ("subdistrict", 40000)]  # fmt: skip
FULL_ORGS = 3_000_000


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    os.environ.setdefault("UNIONHOME_TASK_BACKEND", "immediate")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def level_sizes(n_orgs: int) -> list[tuple[str, int]]:
    """Level sizes scaled to `n_orgs` (at least one org per level)."""
    scale = n_orgs / FULL_ORGS
    sizes = [(name, max(1, round(count * scale)) if name != "national" else 1)
             for name, count in LEVELS]  # fmt: skip
    sizes.append(("grassroots", max(1, n_orgs - sum(c for _n, c in sizes))))
    return sizes


def build_tree(n_orgs: int, rng: random.Random):
    """[(path, depth, level)] in path order, and numchild per path."""
    levels = level_sizes(n_orgs)
    parents = ["0001"]
    rows = [("0001", 1, "national")]
    numchild = {"0001": 0}
    for depth, (level, count) in enumerate(levels[1:], start=2):
        children_of: dict[str, int] = {}
        new = []
        for i in range(count):
            # Every parent gets at least one child, the rest land at random.
            parent = parents[i] if i < len(parents) else parents[rng.randrange(len(parents))]
            children_of[parent] = children_of.get(parent, 0) + 1
            path = parent + step(children_of[parent])
            new.append(path)
            rows.append((path, depth, level))
        for parent, n in children_of.items():
            numchild[parent] = n
        for path in new:
            numchild[path] = 0
        parents = new
    rows.sort()
    return rows, numchild, levels


# --- Loading ----------------------------------------------------------------------------------
def _secondary(cursor, table: str) -> tuple[list[str], list[str]]:
    """Definitions of the table's secondary indexes and of its unique/foreign-key constraints."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        [table],
    )
    constraints = cursor.fetchall()
    names = {name for name, _ in constraints}
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
        [table, "%_pkey"],
    )
    indexes = [(n, d) for n, d in cursor.fetchall() if n not in names]
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    recreate = [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints]
    return [d for _n, d in indexes], recreate


def load_orgs(rows, numchild, now) -> None:
    from django.db import connection, transaction

    names = {"national": "中华全国总工会", "province": "省总工会", "city": "市总工会",
             "county": "县（区）总工会", "subdistrict": "街道总工会", "grassroots": "企业工会委员会"}  # fmt: skip
    stamp = connection.ops.adapt_datetimefield_value(now)
    columns = ["path", "depth", "numchild", "code", "name", "short_name", "search_text", "level", "kind", "region_code", "legal_person_code", "employer_name", "employer_credit_code", "address", "contact_name", "contact_phone", "worker_count", "member_count", "is_active", "created_at", "updated_at", "employer_key", "employer_key_reversed"]  # fmt: skip

    def values(i, path, depth, level):
        kind = "enterprise" if level == "grassroots" else "local"
        return (path, depth, numchild[path], f"B{i:07d}", f"第{i}号{names[level]}", "", "",
                level, kind, "", "", "", "", "", "", "", 0, 0, True, stamp, stamp, "", "")  # fmt: skip

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            indexes, constraints = (
                _secondary(cursor, "orgs_org") if len(rows) > 100_000 else ([], [])
            )
            with cursor.cursor.copy(f"COPY orgs_org ({', '.join(columns)}) FROM STDIN") as copy:
                for i, (path, depth, level) in enumerate(rows):
                    copy.write_row(values(i, path, depth, level))
            for sql in indexes + constraints:
                cursor.execute(sql)
            cursor.execute("ANALYZE orgs_org")
    else:
        sql = (f"INSERT INTO orgs_org ({', '.join(columns)}) "  # noqa: S608 — fixed names
               f"VALUES ({', '.join(['%s'] * len(columns))})")  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [values(i, *r) for i, r in enumerate(rows)])


DEMAND_COLUMNS = [
    "org_path",
    "code",
    "tracking_code",
    "category",
    "suggested_category",
    "urgency",
    "complexity",
    "channel",
    "description",
    "search_text",
    "employer_name",
    "region_code",
    "address",
    "anonymous",
    "contact_name",
    "contact_phone",
    "contact_phone_index",
    "status",
    "escalated",
    "ack_deadline",
    "resolve_deadline",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "outcome",
    "rating",
    "rating_comment",
    "rated_at",
    "version",
    "created_at",
    "updated_at",
    "org_id",
]
CATEGORIES = ["wages", "social_insurance", "contract", "hours_leave", "safety_injury"]
DAY = 86400
PARALLEL_FROM = 200_000  # demands; below this one connection loads them, indexes kept


def demand_rows(start: int, end: int, seed: int, targets, now_ts: int):
    """Demands start..end-1: (values…) with times as aware datetimes."""
    rng = random.Random(seed)
    utc = dt.UTC
    ts = dt.datetime.fromtimestamp
    grassroots, streets, upper = targets
    for i in range(start, end):
        pick = rng.random()
        pool = grassroots if pick < 0.85 else streets if pick < 0.95 else upper
        org_id, path = pool[rng.randrange(len(pool))]
        created = now_ts - rng.randrange(365 * DAY)
        age = now_ts - created
        still_open = rng.random() < (0.6 if age < 20 * DAY else 0.03)
        ack, due = created + DAY, created + 15 * DAY
        acknowledged = resolved = closed = rated = rating = None
        escalated = rng.random() < 0.05
        if still_open:
            status = rng.choice(["submitted", "accepted", "in_progress"])
            if status != "submitted":
                acknowledged = min(created + rng.randrange(DAY), now_ts)
        else:
            acknowledged = created + rng.randrange(DAY)
            resolved = min(created + 3600 + rng.randrange(15 * DAY), now_ts)
            status = "resolved"
            if rng.random() < 0.6:
                rated = min(resolved + rng.randrange(3 * DAY), now_ts)
                rating = rng.choice((5, 5, 5, 4, 4, 3, 2, 1))
            if now_ts - resolved > 7 * DAY or rated is not None:
                status, closed = "closed", min((rated or resolved) + 3600, now_ts)
        category = CATEGORIES[i % len(CATEGORIES)]
        yield (path, f"D{i:010d}", f"T{i:011d}", category, category, "normal", "general", "web",
               "职工反映单位拖欠工资，希望工会协调。", "职工反映单位拖欠工资希望工会协调", "", "", "",
               True, "", "", "", status, escalated, ts(ack, utc), ts(due, utc),
               acknowledged and ts(acknowledged, utc), resolved and ts(resolved, utc),
               closed and ts(closed, utc), "", rating, "", rated and ts(rated, utc), 1,
               ts(created, utc), ts(created, utc), org_id)  # fmt: skip


def _copy_worker(dsn: str, start: int, end: int, seed: int, targets, now_ts: int) -> None:
    import psycopg

    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        with cursor.copy(f"COPY demands_demand ({', '.join(DEMAND_COLUMNS)}) FROM STDIN") as copy:
            for row in demand_rows(start, end, seed, targets, now_ts):
                copy.write_row(row)


def load_demands(n: int, targets, now_ts: int, workers: int = 2) -> None:
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        sql = (f"INSERT INTO demands_demand ({', '.join(DEMAND_COLUMNS)}) "  # noqa: S608
               f"VALUES ({', '.join(['%s'] * len(DEMAND_COLUMNS))})")  # fmt: skip
        adapt = connection.ops.adapt_datetimefield_value
        rows = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row)
                for row in demand_rows(0, n, 1, targets, now_ts)]  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    if n < PARALLEL_FROM:
        # Small runs (the test suite) COPY through Django's connection, inside its transaction.
        with connection.cursor() as cursor:
            columns = ", ".join(DEMAND_COLUMNS)
            with cursor.cursor.copy(f"COPY demands_demand ({columns}) FROM STDIN") as copy:
                for row in demand_rows(0, n, 1, targets, now_ts):
                    copy.write_row(row)
        return
    import multiprocessing

    with connection.cursor() as cursor:
        indexes, constraints = _secondary(cursor, "demands_demand")
    settings = connection.settings_dict
    dsn = (f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
           f"dbname={settings['NAME']} user={settings['USER']}"
           + (f" password={settings['PASSWORD']}" if settings["PASSWORD"] else ""))  # fmt: skip
    connection.close()  # never fork with an open connection
    chunk = (n + workers - 1) // workers
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_copy_worker,
                         args=(dsn, w * chunk, min(n, (w + 1) * chunk), 100 + w, targets, now_ts))
             for w in range(workers)]  # fmt: skip
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"loader failed with exit code {p.exitcode}")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for sql in indexes + constraints:
            cursor.execute(sql)
        cursor.execute("ANALYZE demands_demand")


def generate(n_orgs: int, n_demands: int, now, load_only: bool = False) -> dict[str, float]:

    from unionhome.dashboards import rollups
    from unionhome.orgs.models import Org

    times: dict[str, float] = {}
    rng = random.Random(42)
    t = time.perf_counter()
    rows, numchild, levels = build_tree(n_orgs, rng)
    load_orgs(rows, numchild, now)
    times["orgs"] = time.perf_counter() - t
    print("levels: " + ", ".join(f"{name} {count:,}" for name, count in levels))
    print(f"orgs loaded: {len(rows):,} in {times['orgs']:.1f} s (peak RSS {peak_mb():.0f} MB)")
    by_level: dict[str, list] = {"grassroots": [], "subdistrict": [], "upper": []}
    for pk, path, level in Org.objects.values_list("pk", "path", "level").iterator(20000):
        key = level if level in ("grassroots", "subdistrict") else "upper"
        by_level[key].append((pk, path))
    targets = (by_level["grassroots"], by_level["subdistrict"] or by_level["upper"],
               by_level["upper"])  # fmt: skip
    t = time.perf_counter()
    load_demands(n_demands, targets, int(now.timestamp()))
    times["demands"] = time.perf_counter() - t
    print(f"demands loaded: {n_demands:,} in {times['demands']:.1f} s "
          f"(peak RSS {peak_mb():.0f} MB, loaders included)")  # fmt: skip
    if load_only:
        return times
    t = time.perf_counter()
    result = rollups.rebuild()  # on PostgreSQL it also ANALYZEs the new tables
    times["rollups"] = time.perf_counter() - t
    print(f"roll-ups rebuilt in {times['rollups']:.1f} s: {result}")
    return times


# --- Measuring --------------------------------------------------------------------------------
def time_page(client, url: str, params: dict, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url, params, secure=True)
        out.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


NAIVE = """
SELECT substr(org_path, 1, %(n)s) AS p,
       count(*) FILTER (WHERE status IN ('submitted', 'accepted', 'in_progress')) AS open,
       count(*) FILTER (WHERE (status = 'submitted' AND ack_deadline < %(h)s)
                        OR (status IN ('submitted', 'accepted', 'in_progress')
                            AND resolve_deadline < %(h)s)) AS overdue,
       count(*) FILTER (WHERE status IN ('submitted', 'accepted', 'in_progress')
                        AND escalated) AS escalated,
       count(*) FILTER (WHERE created_at >= %(start)s) AS submitted,
       count(*) FILTER (WHERE resolved_at >= %(start)s) AS resolved
  FROM demands_demand
 WHERE org_path >= %(lo)s AND org_path < %(hi)s AND length(org_path) >= %(n)s
 GROUP BY 1
"""


def naive_children(national, boundary, start) -> tuple[dict, float]:
    from django.db import connection

    from unionhome.core.scoping import path_successor

    adapt = connection.ops.adapt_datetimefield_value
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(NAIVE, {"n": len(national.path) + 4, "h": adapt(boundary),
                               "start": adapt(start), "lo": national.path,
                               "hi": path_successor(national.path)})  # fmt: skip
        rows = {r[0]: list(r[1:]) for r in cursor.fetchall()}
    return rows, (time.perf_counter() - t) * 1000


def measure(runs: int, baseline_runs: int) -> int:
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from unionhome.accounts.models import User
    from unionhome.dashboards import services
    from unionhome.orgs.models import Org

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    root = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        "bench-root", password=None
    )
    client = Client()
    client.force_login(root)
    national = Org.objects.get(depth=1)
    province = Org.objects.filter(depth=2).order_by("path").first()
    street = Org.objects.filter(level="subdistrict").order_by("path").first()
    url = "/dashboards/"
    print(f"\nnational org {national.code}: {Org.objects.get_children_count(national)} children")
    results = []
    for label, org, period, n in [
        ("national page, 30 days", national, "30", runs),
        ("national page, one year", national, "365", runs),
        ("province page, 30 days", province, "30", max(10, runs // 5)),
        ("street page, 30 days", street, "30", max(10, runs // 5)),
    ]:
        time_page(client, url, {"org": org.code, "period": period}, 2)  # warm
        ms = time_page(client, url, {"org": org.code, "period": period}, n)
        results.append((label, n, statistics.median(ms), pct(ms, 99), max(ms)))
    board = services.build_dashboard(root, national, "30")
    start = timezone.make_aware(dt.datetime.combine(board.start, dt.time.min))
    naive_ms = []
    for _ in range(baseline_runs):
        naive, ms = naive_children(national, board.overdue_at, start)
        naive_ms.append(ms)
    results.append(("baseline: naive COUNT … GROUP BY over demands (children)", baseline_runs,
                    statistics.median(naive_ms), pct(naive_ms, 99), max(naive_ms)))  # fmt: skip
    print(f"\n{'scenario':<58}{'runs':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for label, n, p50, p99, top in results:
        print(f"{label:<58}{n:>6}{p50:>10.1f}{p99:>10.1f}{top:>10.1f}")
    children = board.chart("children")
    codes = dict(Org.objects.filter(code__in=children.links).values_list("code", "path"))
    mismatches = 0
    for code, row in children.link_rows:
        want = naive.get(codes[code], [0, 0, 0, 0, 0])
        if row[1:6] != want:
            mismatches += 1
            print(f"MISMATCH {code}: page {row[1:6]} naive {want}")
    cards = {c.key: c.value for c in board.cards}
    print(f"\nnational figures (30 days): open {cards['open']:,}, overdue {cards['overdue']:,}, "
          f"escalated {cards['escalated']:,}, submitted {cards['submitted']:,}, "
          f"resolved {cards['resolved']:,}, satisfaction {cards['satisfaction']}")  # fmt: skip
    print(f"children rows equal to the naive recount: {mismatches == 0} "
          f"({len(children.rows)} rows)")  # fmt: skip
    goal = results[0][3] < 200 and results[1][3] < 200
    print(f"goal (national page p99 < 200 ms): {'met' if goal else 'MISSED'}")
    return 0 if mismatches == 0 else 1


def database_size() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "n/a"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cursor.fetchone()[0]


def rollups_only() -> None:
    """Data loaded by an earlier run (stopped after the COPY): build the roll-ups only."""
    from django.db import connection

    from unionhome.core.jobs import CliProgress
    from unionhome.dashboards import rollups

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE demands_demand")
    print(f"ANALYZE demands_demand {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    progress = CliProgress(stream=sys.stderr)
    result = rollups.rebuild(progress)
    progress.close()
    print(f"roll-ups rebuilt in {time.perf_counter() - t:.1f} s: {result}")
    print(f"peak RSS {peak_mb():.0f} MB, database {database_size()}")


def run(n_orgs: int, n_demands: int, runs: int = 100, baseline_runs: int = 5,
        reuse: bool = False) -> int:  # fmt: skip
    from django.utils import timezone

    from unionhome.orgs.models import Org

    if not reuse or not Org.objects.exists():
        if Org.objects.exists():
            raise SystemExit("the database already holds orgs: use a fresh one, or --reuse")
        t = time.perf_counter()
        generate(n_orgs, n_demands, timezone.now())
        print(f"generation total {time.perf_counter() - t:.1f} s, peak RSS {peak_mb():.0f} MB, "
              f"database {database_size()}")  # fmt: skip
    return measure(runs, baseline_runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=FULL_ORGS)
    parser.add_argument("--demands", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="load orgs and demands, then stop (no roll-ups, no timing)",
    )
    parser.add_argument("--rollups-only", action="store_true",
                        help="data loaded (COPY done): rebuild the roll-ups, then time")  # fmt: skip
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        import tempfile

        path = Path(tempfile.mkdtemp()) / "dashboard-bench.sqlite3"
        os.environ["UNIONHOME_SQLITE_PATH"] = str(path)
        print(f"SQLite at {path} (set DATABASE_URL for PostgreSQL)")
    setup_django()
    if args.load_only:
        from django.utils import timezone

        t = time.perf_counter()
        generate(args.orgs, args.demands, timezone.now(), load_only=True)
        print(f"load total {time.perf_counter() - t:.1f} s, database {database_size()}")
        return 0
    if args.rollups_only:
        rollups_only()
        return measure(args.runs, args.baseline_runs)
    return run(args.orgs, args.demands, args.runs, args.baseline_runs, args.reuse)


if __name__ == "__main__":
    sys.exit(main())
