"""`make bench`: run the project's own benchmarks that exist and print each figure beside its goal.

    .venv/bin/python bench/run_all.py                     # everything, full scale (long)
    .venv/bin/python bench/run_all.py --only inbox,stations_nearest
    .venv/bin/python bench/run_all.py --small             # each at a small scale (minutes)
    .venv/bin/python bench/run_all.py --no-postgres       # SQLite / no-database ones only

Each benchmark runs as its own process (its own throw-away database: a temporary SQLite file, or
a PostgreSQL database this runner drops and creates under BENCH_PG, default the local server
with trust auth). Scripts that are not there yet are skipped, so other engineers' benchmarks join
the table once they land. Output of each run goes to var/bench/<name>-<engine>.log; the summary
takes the headline figure from it with a pattern and sets it beside the goal.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LOGS = ROOT / "var" / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/")


@dataclass
class Bench:
    name: str
    goal: str
    pattern: str  # the first group is the headline figure
    engines: tuple[str, ...] = ("sqlite", "postgres")
    pg_db: str = ""  # a fresh database per run; empty: the script makes its own (test_…)
    args: tuple[str, ...] = ()
    small: tuple[str, ...] = ()
    unit: str = ""
    check: object = None  # figure -> bool
    extra: dict = field(default_factory=dict)


BENCHES = [
    Bench("stations_nearest", "indexed p99 < 5 ms", r"indexed \(H3 \+ box\)\s+\d+\s+[\d.]+\s+([\d.]+)",
          pg_db="bench_stations", small=("--stations", "5000", "--queries", "200"), unit="ms",
          check=lambda v: v < 5),
    Bench("roster_import", "corrected file < 30 s",
          r"corrected file: check \+ save all rows \(goal < 30 s\)\s+([\d.]+)",
          pg_db="bench_roster", small=("--rows", "2000"), unit="s", check=lambda v: v < 30),
    Bench("inbox", "county inbox p99 < 50 ms at 10M (PostgreSQL)",
          r"indexed county \S+\s+\d+\s+[\d.]+\s+([\d.]+)", engines=("postgres",),
          pg_db="bench_inbox", small=("--demands", "20000", "--runs", "50"), unit="ms",
          check=lambda v: v < 50),
    Bench("intake", "≥ 3× django-helpdesk's submissions/s (over HTTP: bench-peer)",
          r"intake: ([\d.]+)/s", pg_db="bench_intake", small=("--n", "30"), unit="/s"),
    Bench("cluster_demands", "1,000,000 demands < 60 s", r"([\d.]+) s[^\n]*the 60 s goal",
          engines=("none",), small=("--n", "20000", "--baseline-sample", "2000"), unit="s",
          check=lambda v: v < 60),
    Bench("dashboard", "national page p99 < 200 ms", r"goal \(national page p99 < 200 ms\): (\w+)",
          engines=("postgres",), pg_db="bench_dash_run",
          small=("--orgs", "2000", "--demands", "20000", "--runs", "20"),
          check=lambda v: v == "met"),
]  # fmt: skip


def _fresh_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_one(bench: Bench, engine: str, small: bool, keep: bool) -> tuple[str, str, float]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if engine == "postgres":
        if bench.pg_db:
            _fresh_pg(bench.pg_db)
        env["DATABASE_URL"] = PG + (bench.pg_db or "postgres")
    args = [str(PYTHON), str(BENCH / f"{bench.name}.py"), *bench.args]
    if small:
        args += bench.small
    log = LOGS / f"{bench.name}-{engine}.log"
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - started
    log.write_text(proc.stdout + proc.stderr)
    if engine == "postgres" and bench.pg_db and not keep:
        _drop_pg(bench.pg_db)
    match = re.search(bench.pattern, proc.stdout)
    if proc.returncode != 0 and not match:
        return f"failed (exit {proc.returncode}, see {log.relative_to(ROOT)})", "—", seconds
    if not match:
        return f"no figure (see {log.relative_to(ROOT)})", "—", seconds
    raw = match.group(1)
    try:
        value: object = float(raw)
    except ValueError:
        value = raw
    met = "—" if bench.check is None else ("met" if bench.check(value) else "MISSED")
    return f"{raw} {bench.unit}".strip(), met, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated names")
    parser.add_argument("--small", action="store_true", help="small scale, for a quick check")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    args = parser.parse_args()
    LOGS.mkdir(parents=True, exist_ok=True)
    only = {n for n in args.only.split(",") if n}
    rows = []
    for bench in BENCHES:
        if only and bench.name not in only:
            continue
        if not (BENCH / f"{bench.name}.py").exists():
            rows.append((bench.name, "—", "not there yet: skipped", bench.goal, "—"))
            continue
        for engine in bench.engines:
            if engine == "postgres" and args.no_postgres:
                continue
            print(f"running {bench.name} ({engine}) …", flush=True)
            figure, met, seconds = run_one(bench, engine, args.small, args.keep)
            rows.append((bench.name, engine, figure, bench.goal, f"{met} ({seconds:.0f} s)"))
    print()
    print("| benchmark | database | figure | goal | result (run time) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\nLogs: var/bench/<benchmark>-<database>.log. `make bench-peer` compares with "
          "django-helpdesk.")  # fmt: skip
    return 1 if any("failed" in r[2] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
