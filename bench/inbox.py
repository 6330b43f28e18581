"""A cadre's inbox at 10,000,000 demands: the first page of open items, indexed against a baseline.

    createdb -h 127.0.0.1 -U postgres bench_inbox
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_inbox .venv/bin/python bench/inbox.py
    ... bench/inbox.py --reuse          # keep the loaded demands, time again
    .venv/bin/python bench/inbox.py --demands 200000     # SQLite, a throw-away file

It migrates the named database (PostgreSQL) or a temporary SQLite file, builds the demo union tree
(全总 → 江苏 → 无锡/南京 → districts → streets → grassroots, `--scale` times the grassroots unions),
loads N demands spread over every org of the tree (most on grassroots unions, about 12 % open,
three years of history) with the indexes dropped and rebuilt afterwards — on PostgreSQL 20,011
generated demands are COPYed into a staging table and the server multiplies them (own codes,
dates spread over three years, open ones in the last 60 days); executemany on SQLite — runs
(VACUUM) ANALYZE, then times in the same run, in-process through Django's test
client (view + queries + template, no network):

- indexed: GET /demands/?status=open for a county-level cadre (梁溪区) and a city cadre (无锡);
- baseline: the same page inside a transaction that has dropped this work's inbox indexes
  (demand_open_queue, demand_open_tiles, demand_queue_order), rolled back afterwards — what the
  page cost before them.

Goal: county-level inbox p99 under 50 ms at 10,000,000 demands on PostgreSQL.
`run()` is what the suite calls at small scale (src/unionhome/demands/tests/test_bench.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
NEW_INDEXES = ("demand_open_queue", "demand_open_tiles", "demand_queue_order")
USERS = {"county (梁溪区)": "district_cadre", "city (无锡)": "city_cadre"}


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django

    django.setup()


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def build_tree(scale: int):
    from django.db import transaction

    from unionhome.orgs.demo import DemoBuilder
    from unionhome.orgs.models import Org, OrgLevel

    builder = DemoBuilder(scale=scale)
    with transaction.atomic():
        named = builder.build()
        builder.ensure_people(named)
    orgs = list(Org.objects.order_by("path"))
    # Most demands reach grassroots unions; the rest land on streets, districts, cities.
    weights = [20 if o.level == OrgLevel.GRASSROOTS else 3 for o in orgs]
    return orgs, weights


def _rows(n: int, orgs, weights, seed: int):
    """Yield one tuple per demand, in the table's column order (see `_columns`)."""
    from django.utils import timezone
    from peer.data import STATUSES, generate

    from unionhome.core import crypto
    from unionhome.demands import intake
    from unionhome.text.normalise import normalise_for_search

    rng = random.Random(seed)
    now = timezone.now()
    pool = list(generate(2000, seed=seed))  # texts and identities, reused: loading stays fast
    prepared = []
    for item in pool:
        ident = ("", "", "") if item.anonymous else (
            crypto.encrypt(item.name), crypto.encrypt(item.phone), intake.phone_index(item.phone))  # fmt: skip
        prepared.append((item, normalise_for_search(f"{item.description} {item.employer}"), ident))
    picks = rng.choices(range(len(orgs)), weights, k=min(n, 1_000_000))
    statuses = [s for s, _h, w in STATUSES for _ in range(w)]
    day = dt.timedelta(days=1)
    for i in range(n):
        item, search, (name, phone, index) = prepared[i % len(prepared)]
        org = orgs[picks[i % len(picks)]]
        status = statuses[(i * 7919) % len(statuses)]
        minutes = (i * 104729) % (3 * 365 * 24 * 60)
        if status in ("submitted", "accepted", "in_progress"):
            minutes %= 60 * 24 * 60
        created = now - dt.timedelta(minutes=minutes)
        yield (org.pk, org.path, f"B{i:010d}", f"{i // 10**8:04d}-{i // 10**4 % 10**4:04d}-{i % 10**4:04d}",
               item.category, item.category, item.urgency, "general", "web", item.description,
               search, item.employer, item.anonymous, name, phone, index, status,
               (i % 97) == 0, created + day, created + 15 * day, created, created)  # fmt: skip


COLUMNS = ("org_id", "org_path", "code", "tracking_code", "category", "suggested_category",
           "urgency", "complexity", "channel", "description", "search_text", "employer_name",
           "anonymous", "contact_name", "contact_phone", "contact_phone_index", "status",
           "escalated", "ack_deadline", "resolve_deadline", "created_at", "updated_at")  # fmt: skip
# Columns with NOT NULL and no default in the table that the rows above leave out.
FILLERS = {"region_code": "", "address": "", "outcome": "", "rating_comment": "", "version": 1}


def _plain_indexes(cursor, vendor: str) -> list[tuple[str, str]]:
    if vendor == "postgresql":
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                       "'demands_demand' AND indexdef NOT LIKE 'CREATE UNIQUE%'")  # fmt: skip
    else:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                       "tbl_name = 'demands_demand' AND sql IS NOT NULL AND sql NOT LIKE "
                       "'CREATE UNIQUE%'")  # fmt: skip
    return list(cursor.fetchall())


def load(n: int, orgs, weights, seed: int = 2026, progress=print) -> None:
    """COPY (PostgreSQL) or executemany (SQLite) with the plain indexes rebuilt afterwards."""
    from django.db import connection, transaction

    columns = (*COLUMNS, *FILLERS)
    fill = tuple(FILLERS.values())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        indexes = _plain_indexes(cursor, connection.vendor)
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        if connection.vendor == "postgresql":
            _load_postgres(cursor, n, orgs, weights, seed, progress, started)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO demands_demand ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
            batch = []
            for row in _rows(n, orgs, weights, seed):
                batch.append((*row, *fill))
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            cursor.executemany(sql, batch)
        copied = time.perf_counter()
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, index_sql in indexes:
            cursor.execute(index_sql)
        if progress:
            progress(f"loaded {n:,} demands in {copied - started:.0f} s, "
                     f"indexes rebuilt in {time.perf_counter() - copied:.0f} s")  # fmt: skip
    _analyse()


POOL = 20_011  # distinct generated demands; the rest repeat them with their own code and dates
POOL_COLUMNS = ("org_id", "org_path", "category", "suggested_category", "urgency", "complexity",
                "channel", "description", "search_text", "employer_name", "anonymous",
                "contact_name", "contact_phone", "contact_phone_index", "status")  # fmt: skip
EXPAND = """
INSERT INTO demands_demand ({columns})
SELECT {pool_columns}, 'B' || lpad(g::text, 10, '0'),
       lpad((g / 100000000)::text, 4, '0') || '-' || lpad((g / 10000 %% 10000)::text, 4, '0')
           || '-' || lpad((g %% 10000)::text, 4, '0'),
       (g %% 97) = 0, c.at + interval '1 day', c.at + interval '15 days', c.at, c.at,
       '', '', '', '', 1
FROM generate_series(%s, %s) AS g
JOIN bench_pool p ON p.k = g %% {pool}
CROSS JOIN LATERAL (SELECT now() - make_interval(mins => ((g::bigint * 104729) %% CASE
    WHEN p.status IN ('submitted', 'accepted', 'in_progress') THEN 86400 ELSE 1576800 END)::int)
    AS at) c
"""


def _load_postgres(cursor, n, orgs, weights, seed, progress, started) -> None:
    """COPY a pool of generated demands, then let the server multiply it: Python formatting ten
    million rows would take most of an hour on two shared cores; this takes minutes."""
    # Foreign keys checked row by row: deferred checks would block the index rebuild below.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("CREATE TEMP TABLE bench_pool (k int PRIMARY KEY, org_id bigint, "
                   "org_path text, category text, suggested_category text, urgency text, "
                   "complexity text, channel text, description text, search_text text, "
                   "employer_name text, anonymous bool, contact_name text, contact_phone text, "
                   "contact_phone_index text, status text) ON COMMIT DROP")  # fmt: skip
    with cursor.cursor.copy(f"COPY bench_pool (k, {', '.join(POOL_COLUMNS)}) FROM STDIN") as copy:
        for k, row in enumerate(_rows(min(n, POOL), orgs, weights, seed)):
            copy.write_row((k, *row[:2], *row[4:17]))
    columns = ", ".join((*POOL_COLUMNS, "code", "tracking_code", "escalated", "ack_deadline",
                         "resolve_deadline", "created_at", "updated_at", *FILLERS))  # fmt: skip
    sql = EXPAND.format(columns=columns, pool=min(n, POOL),
                        pool_columns=", ".join(f"p.{c}" for c in POOL_COLUMNS))  # fmt: skip
    step = 1_000_000
    for first in range(0, n, step):
        cursor.execute(sql, [first, min(n, first + step) - 1])
        if progress:
            progress(f"  {min(n, first + step):,} rows in {time.perf_counter() - started:.0f} s")


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # VACUUM (for index-only scans) cannot run inside a transaction, e.g. in the test suite.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def time_pages(runs: int) -> dict:
    from django.test import Client

    from unionhome.accounts.models import User

    out = {}
    for label, username in USERS.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for _ in range(5):
            response = client.get("/demands/?status=open", secure=True)
            assert response.status_code == 200, response.status_code
        samples = []
        for _ in range(runs):
            started = time.perf_counter_ns()
            client.get("/demands/?status=open", secure=True)
            samples.append((time.perf_counter_ns() - started) / 1e6)
        out[label] = {"p50": _percentile(samples, 0.5), "p99": _percentile(samples, 0.99),
                      "n": runs, "rows": response.content.count(b'class="demand-row')}  # fmt: skip
    return out


def run(n_demands: int = 10_000_000, runs: int = 200, baseline_runs: int = 30, scale: int = 2,
        load_data: bool = True, out=print) -> dict:  # fmt: skip
    from django.db import connection, transaction
    from django.utils import timezone

    from unionhome.demands.models import OPEN_STATUSES, Demand

    if load_data:
        started = time.perf_counter()
        orgs, weights = build_tree(scale)
        out(f"org tree: {len(orgs)} orgs in {time.perf_counter() - started:.0f} s")
        load(n_demands, orgs, weights, progress=out)
        # COPY bypasses the roll-up signals; the tiles read the roll-ups.
        started = time.perf_counter()
        from unionhome.dashboards import rollups

        rollups.rebuild()
        out(f"roll-ups rebuilt in {time.perf_counter() - started:.0f} s")
    total = Demand.objects.count()
    open_total = Demand.objects.filter(status__in=OPEN_STATUSES).count()
    indexed = time_pages(runs)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in NEW_INDEXES:
                cursor.execute(f'DROP INDEX "{name}"')
        baseline = time_pages(baseline_runs)
        transaction.set_rollback(True)
    from unionhome.accounts.models import User
    from unionhome.demands import services

    tiles_ok = all(
        services.tile_counts(user, now=now) == services.live_tile_counts(user, now=now)
        for user in User.objects.filter(username__in=USERS.values())
        for now in [timezone.now()]
    )
    out(f"tiles from the roll-ups equal a count of the rows: {tiles_ok}")
    result = {"database": connection.vendor, "demands": total, "open": open_total,
              "indexed": indexed, "baseline": baseline, "tiles_ok": tiles_ok}  # fmt: skip
    out(f"database: {connection.vendor}, demands: {total:,}, open: {open_total:,}")
    out(f"{'inbox first page, open items':<34}{'runs':>6}{'p50 ms':>10}{'p99 ms':>10}{'rows':>6}")
    for kind in ("indexed", "baseline"):
        for label, s in result[kind].items():
            out(f"{kind + ' ' + label:<34}{s['n']:>6}{s['p50']:>10.1f}{s['p99']:>10.1f}"
                f"{s['rows']:>6}")  # fmt: skip
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demands", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--baseline-runs", type=int, default=30)
    parser.add_argument("--scale", type=int, default=2, help="grassroots unions × scale")
    parser.add_argument("--reuse", action="store_true", help="PostgreSQL: time the loaded data")
    args = parser.parse_args()
    _setup_django()
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from unionhome.demands.models import Demand

        fresh = not (args.reuse and Demand.objects.exists())
        if fresh and Demand.objects.exists():
            print("the database already holds demands: use a fresh one, or --reuse")
            return 2
        result = run(args.demands, args.runs, args.baseline_runs, args.scale, load_data=fresh)
        return 0 if result["tiles_ok"] else 1
    from django.test.utils import setup_databases, teardown_databases

    with tempfile.TemporaryDirectory() as tmp:
        database.setdefault("TEST", {})["NAME"] = str(Path(tmp) / "inbox.sqlite3")
        old = setup_databases(verbosity=0, interactive=False)
        try:
            result = run(args.demands, args.runs, args.baseline_runs, args.scale)
        finally:
            teardown_databases(old, verbosity=0)
    return 0 if result["tiles_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
