"""Nearest open stations at national scale: the indexed query against a full-scan baseline.

    .venv/bin/python bench/stations_nearest.py                      # 200,000 stations, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/stations_nearest.py                  # the same on PostgreSQL

It builds a throw-away test database (Django's test-database machinery: `test_<name>` on
PostgreSQL, a temporary file for SQLite, never the working database), migrates it, loads N
stations spread across China (most around 40 cities, the rest scattered), then times

- indexed: `stations.services.nearby_stations` — the query the near-me page and API run (H3
  cells + bounding box on indexed columns, exact distance in Python on the candidates);
- baseline: `stations.services.nearest_full_scan` — read every open station, measure each;

for query points drawn like the stations (mostly in cities), and checks that both find the same
stations. It prints p50/p99/max in milliseconds for each. `run()` is what the test suite calls at
small scale (src/unionhome/stations/tests/test_bench.py) so the harness cannot rot.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (city, WGS-84 centre, weight ≈ relative size of the urban workforce)
CITIES = [
    ("上海", 31.23, 121.47, 10), ("北京", 39.90, 116.40, 9), ("广州", 23.13, 113.26, 7),
    ("深圳", 22.54, 114.06, 7), ("重庆", 29.56, 106.55, 6), ("成都", 30.66, 104.07, 6),
    ("天津", 39.13, 117.20, 5), ("武汉", 30.59, 114.30, 5), ("杭州", 30.27, 120.16, 5),
    ("西安", 34.34, 108.94, 4), ("南京", 32.06, 118.80, 4), ("苏州", 31.30, 120.58, 4),
    ("郑州", 34.75, 113.63, 4), ("长沙", 28.23, 112.94, 3), ("沈阳", 41.80, 123.43, 3),
    ("青岛", 36.07, 120.38, 3), ("无锡", 31.57, 120.30, 3), ("宁波", 29.87, 121.55, 3),
    ("东莞", 23.02, 113.75, 3), ("佛山", 23.02, 113.12, 3), ("合肥", 31.82, 117.23, 3),
    ("济南", 36.65, 117.12, 3), ("昆明", 25.04, 102.71, 2), ("哈尔滨", 45.80, 126.53, 2),
    ("长春", 43.82, 125.32, 2), ("福州", 26.07, 119.30, 2), ("厦门", 24.48, 118.09, 2),
    ("南昌", 28.68, 115.86, 2), ("石家庄", 38.04, 114.51, 2), ("太原", 37.87, 112.55, 2),
    ("南宁", 22.82, 108.32, 2), ("贵阳", 26.65, 106.63, 2), ("兰州", 36.06, 103.83, 1),
    ("乌鲁木齐", 43.83, 87.62, 1), ("呼和浩特", 40.84, 111.75, 1), ("银川", 38.49, 106.23, 1),
    ("西宁", 36.62, 101.78, 1), ("拉萨", 29.65, 91.14, 1), ("海口", 20.04, 110.20, 1),
    ("大连", 38.91, 121.61, 2),
]  # fmt: skip
# Where the rest are scattered: the populated part of the country.
SCATTER_LAT, SCATTER_LNG = (21.0, 47.0), (98.0, 125.0)
CITY_SHARE = 0.8
CITY_SPREAD_DEG = 0.15  # one standard deviation, ≈ 15 km


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()


def points(n: int, rng: random.Random) -> list[tuple[float, float]]:
    weights = [c[3] for c in CITIES]
    out = []
    while len(out) < n:
        if rng.random() < CITY_SHARE:
            _name, lat, lng, _w = rng.choices(CITIES, weights)[0]
            point = (rng.gauss(lat, CITY_SPREAD_DEG), rng.gauss(lng, CITY_SPREAD_DEG))
        else:
            point = (rng.uniform(*SCATTER_LAT), rng.uniform(*SCATTER_LNG))
        out.append((round(point[0], 6), round(point[1], 6)))
    return out


def load_stations(n: int, seed: int, batch: int = 5000, progress=None) -> None:
    from unionhome.orgs.models import Org
    from unionhome.stations.models import Station, StationStatus

    org = Org.objects.filter(name="基准测试总工会").first() or Org.objects.add_root(
        instance=Org(name="基准测试总工会", level="national")
    )
    rng = random.Random(seed)
    rows = []
    for i, (lat, lng) in enumerate(points(n, rng)):
        station = Station(
            org=org, kind="outdoor", name=f"站点{i:06d}", address="", latitude=lat,
            longitude=lng, hours={"always": True}, amenities=["hot_water"],
            status=StationStatus.OPEN if rng.random() < 0.9 else StationStatus.SUSPENDED,
        )  # fmt: skip
        station.prepare()
        rows.append(station)
        if len(rows) == batch:
            Station.objects.bulk_create(rows)
            rows = []
            if progress:
                progress(i + 1)
    if rows:
        Station.objects.bulk_create(rows)


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _summary(samples_ms: list[float]) -> dict:
    return {
        "n": len(samples_ms),
        "p50": _percentile(samples_ms, 0.50),
        "p99": _percentile(samples_ms, 0.99),
        "max": max(samples_ms),
        "mean": statistics.fmean(samples_ms),
    }


def run(n_stations: int = 200_000, n_queries: int = 1000, n_baseline: int = 30,
        seed: int = 2026, out=print, load: bool = True) -> dict:  # fmt: skip
    """Load (unless `load` is False), then time both queries on the active database."""
    from django.db import connection

    from unionhome.stations import services
    from unionhome.stations.models import Station

    if load:
        started = time.perf_counter()
        load_stations(n_stations, seed)
        _analyse()
        out(f"loaded {n_stations:,} stations in {time.perf_counter() - started:.1f} s")
    queries = points(n_queries, random.Random(seed + 1))
    for lat, lng in queries[:20]:  # warm caches and connections
        services.nearby_stations(lat, lng)

    indexed_ms, found = [], []
    for lat, lng in queries:
        started = time.perf_counter_ns()
        hits = services.nearby_stations(lat, lng, limit=10_000)
        indexed_ms.append((time.perf_counter_ns() - started) / 1e6)
        found.append(len(hits))

    baseline_ms, mismatches = [], 0
    for lat, lng in queries[:n_baseline]:
        started = time.perf_counter_ns()
        scan = services.nearest_full_scan(lat, lng)
        baseline_ms.append((time.perf_counter_ns() - started) / 1e6)
        hits = services.nearby_stations(lat, lng, limit=10_000)
        if [h.station.pk for h in hits] != [pk for _d, pk in scan]:
            mismatches += 1

    result = {
        "database": connection.vendor,
        "stations": Station.objects.count(),
        "indexed": _summary(indexed_ms),
        "baseline": _summary(baseline_ms),
        "mean_found": statistics.fmean(found),
        "max_found": max(found),
        "mismatches": mismatches,
    }
    out(f"database: {result['database']}, stations: {result['stations']:,}, "
        f"stations within reach per query: mean {result['mean_found']:.1f}, "
        f"max {result['max_found']}")  # fmt: skip
    out(f"{'query':<28}{'runs':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for label, key in (("indexed (H3 + box)", "indexed"), ("baseline (full scan)", "baseline")):
        s = result[key]
        out(f"{label:<28}{s['n']:>6}{s['p50']:>10.2f}{s['p99']:>10.2f}{s['max']:>10.2f}")
    out(f"same stations found by both: {n_baseline - mismatches}/{n_baseline} queries")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=30, help="full-scan queries (slow)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse",
        metavar="SQLITE_FILE",
        help="keep the SQLite database in this file and reuse it (for profiling)",
    )
    args = parser.parse_args()

    if args.reuse:
        os.environ["UNIONHOME_SQLITE_PATH"] = args.reuse
        os.environ.pop("DATABASE_URL", None)
        _setup_django()
        from django.core.management import call_command

        from unionhome.stations.models import Station

        call_command("migrate", verbosity=0)
        fresh = not Station.objects.exists()
        result = run(args.stations, args.queries, args.baseline, args.seed, load=fresh)
        return 0 if result["mismatches"] == 0 else 1

    _setup_django()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    with tempfile.TemporaryDirectory() as tmp:
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            # On disk, like the real thing (Django's default SQLite test database is in memory).
            database.setdefault("TEST", {})["NAME"] = str(Path(tmp) / "bench.sqlite3")
        old = setup_databases(verbosity=0, interactive=False)
        try:
            result = run(args.stations, args.queries, args.baseline, args.seed)
        finally:
            teardown_databases(old, verbosity=0)
    return 0 if result["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
