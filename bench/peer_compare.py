"""unionhome against django-helpdesk 2.6.1, side by side, on SQLite and on PostgreSQL.

    make bench-peer                                   # both engines, 100,000 items each
    .venv/bin/python bench/peer_compare.py --engines sqlite --items 20000 --seconds 5

For each engine it seeds both systems with the same generated items (bench/peer/data.py), serves
each with gunicorn (2 sync workers, 127.0.0.1, one system after the other so they never compete),
drives both with the same bounded client (bench/loadclient.py) and prints one table:

- public submit page GET (4 clients): requests/s, p99;
- public submission POST (4 clients): acknowledged/s, p50, p99; then the stored count must equal
  the count before plus the acknowledged submissions (checked in the database);
- cadre inbox / staff list, first page, open items (1 client): p50, p99 — unionhome's inbox page
  for a county-level cadre covering every item, helpdesk's `datatables_ticket_list` for a staff
  user (the JSON its list page loads);
- keyword search 工资 over all items (1 client): p50, p99;
- peak RSS, master + workers, and the largest worker.

django-helpdesk lives in its own venv (var/bench/helpdesk-venv, bench/peer/requirements.txt);
`run()` with `peer=False` measures unionhome alone (the smoke test does that at tiny scale).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import loadclient  # noqa: E402
from loadclient import Session, run_load  # noqa: E402

VAR = ROOT / "var" / "bench"
UH_PYTHON = ROOT / ".venv" / "bin" / "python"
UH_GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HD_VENV = VAR / "helpdesk-venv"
PG = "postgres://postgres@127.0.0.1:5432/"
# PostgreSQL database names are `<prefix>_uh` and `<prefix>_hd`; override to keep two checkouts
# on one server apart (SQLite files live under each checkout's var/bench anyway).
PG_DB_PREFIX = os.environ.get("BENCH_PEER_DB_PREFIX", "bench_peer")
UH_USER, HD_USER = "district_cadre", "staff"
HD_PASSWORD = "bench-staff"


# --- the two systems --------------------------------------------------------------------------
def uh_env(engine: str, db: str) -> dict:
    """unionhome's production settings, except plain HTTP on 127.0.0.1 and the intake rate limit
    raised so the POST scenario measures intake, not the limiter (documented in the README)."""
    env = loadclient.env_with(
        DEBUG=0, UNIONHOME_INSECURE_HTTP=1, ALLOWED_HOSTS="127.0.0.1,localhost",
        UNIONHOME_VAR_DIR=VAR / "uh-var", UNIONHOME_INTAKE_LIMIT_PER_HOUR=10_000_000,
        AXES_ENABLED=0, PYTHONPATH=ROOT / "src", DJANGO_SETTINGS_MODULE="unionhome.settings",
    )  # fmt: skip
    env.pop("DATABASE_URL", None)
    if engine == "postgres":
        env["DATABASE_URL"] = PG + db
    else:
        env["UNIONHOME_SQLITE_PATH"] = db
    env.update(UH_EXTRA_ENV)
    return env


# `--intake inline`: no intake worker; the two gunicorn workers record receipts themselves (the
# fallback of a deployment without one), so unionhome runs exactly as many processes as helpdesk.
UH_EXTRA_ENV: dict[str, str] = {}


def hd_env(engine: str, db: str) -> dict:
    env = loadclient.env_with(
        PEER_DB_ENGINE=engine, PEER_DB_NAME=db, PYTHONPATH=BENCH / "peer",
        DJANGO_SETTINGS_MODULE="helpdesk_site.settings", PEER_MEDIA_ROOT=VAR / "hd-media",
    )  # fmt: skip
    env.pop("DATABASE_URL", None)
    return env


def _py(python: Path, args: list[str], env: dict) -> str:
    out = subprocess.run([str(python), *args], env=env, check=True, capture_output=True,  # noqa: S603
                         text=True, cwd=ROOT)  # fmt: skip
    return out.stdout.strip()


def uh_count(env: dict) -> int:
    return int(_py(UH_PYTHON, [__file__, "_count"], env).splitlines()[-1])


def hd_count(env: dict) -> int:
    return int(_py(HD_VENV / "bin" / "python", ["-m", "django", "seed_peer", "--count"], env))


def reset_database(engine: str, db: str) -> None:
    if engine == "sqlite":
        for path in {db, queue_db(engine, db)}:
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


def seed_unionhome(items: int) -> None:
    """Runs inside unionhome's venv with its settings (`_seed` subcommand)."""
    import django

    django.setup()
    from demand_rows import insert_demands
    from django.core.management import call_command

    from unionhome.orgs.demo import DemoBuilder
    from unionhome.orgs.models import Org

    call_command("migrate", verbosity=0)
    builder = DemoBuilder()
    named = builder.build()
    builder.ensure_people(named)
    district = named["district:梁溪区"]
    orgs = list(Org.objects.filter(path__startswith=district.path).order_by("path"))
    from peer.data import generate

    insert_demands(generate(items), orgs)
    from django.db import connection

    from unionhome.dashboards import rollups

    rollups.rebuild()  # bulk rows bypass the roll-up signals; the inbox tiles read the roll-ups

    with connection.cursor() as cursor:  # both systems get fresh planner statistics
        cursor.execute("ANALYZE")
    print(f"seeded {items} demands across {len(orgs)} orgs")


# --- scenarios --------------------------------------------------------------------------------
class System:
    name: str
    submit_path: str
    login_path: str

    def submit_form(self, n: int) -> dict: ...
    def inbox_path(self) -> str: ...
    def search_path(self) -> str: ...


class Unionhome(System):
    name = "unionhome"
    submit_path = "/d/new/"
    login_path = "/accounts/login/"
    user, password = UH_USER, "unionhome-demo"

    def submit_form(self, n: int) -> dict:
        from peer.data import submission

        s = submission(n)
        return {"description": s["description"], "employer_name": s["employer"],
                "address": s["address"], "contact_name": s["name"], "contact_phone": s["phone"],
                "category": ""}  # fmt: skip

    def inbox_path(self) -> str:
        return "/demands/?status=open"

    def search_path(self) -> str:
        return "/demands/?status=&q=%E5%B7%A5%E8%B5%84"


class Helpdesk(System):
    name = "django-helpdesk"
    submit_path = "/helpdesk/tickets/submit/"
    login_path = "/login/"
    user, password = HD_USER, HD_PASSWORD

    def submit_form(self, n: int) -> dict:
        from peer.data import submission

        s = submission(n)
        return {"title": s["title"], "body": f"{s['description']} {s['employer']} {s['address']}",
                "submitter_email": f"p{n}@example.org"}  # fmt: skip

    @staticmethod
    def _list(query: dict) -> str:
        encoded = base64.b64encode(json.dumps(query).encode()).decode()
        return f"/helpdesk/datatables_ticket_list/{encoded}?draw=1&start=0&length=25"

    def inbox_path(self) -> str:
        return self._list({"filtering": {"status__in": [1, 2]}, "sorting": "created",
                           "search_string": ""})  # fmt: skip

    def search_path(self) -> str:
        return self._list({"filtering": {}, "sorting": "created", "search_string": "工资"})


def measure(system: System, port: int, pid: int, count, *, seconds: float, max_posts: int,
            pending=None, extra_pids: tuple[int, ...] = (), engine: str = "sqlite",
            out=print) -> dict:  # fmt: skip
    """All scenarios against one running server; `count()` reads the stored item count.

    `pending()` (unionhome: receipts not yet recorded as demands) makes the POST scenario wait
    until everything acknowledged is recorded: its rate is acknowledged ÷ (load time + that
    wait), so work deferred to the intake worker (`extra_pids`, on the same two cores, its
    memory counted in the total) is paid for inside the figure."""
    result: dict = {}
    with loadclient.RssSampler(pid, extra_pids=extra_pids) as rss:

        def anonymous(_i):
            return Session(port)

        get = run_load(anonymous, lambda s, n: s.get(system.submit_path), clients=4,
                       seconds=seconds, max_requests=5000)  # fmt: skip
        out(f"  {system.name} submit page GET: {get.summary()}")
        result["get"] = get

        def submitter(_i):
            session = Session(port)
            session.get(system.submit_path)  # the CSRF cookie, as a browser would
            return session

        before = count()
        cpu_before = loadclient.cpu_seconds(pid, extra_pids)
        extra_before = sum(loadclient.cpu_seconds(p) for p in extra_pids)
        client_before = time.process_time()  # this process: the load client's own threads
        database_cpu = loadclient.DatabaseCpu(engine).__enter__()  # PostgreSQL's own backends
        post = run_load(submitter, lambda s, n: s.post(system.submit_path, system.submit_form(n)),
                        clients=4, seconds=seconds, max_requests=max_posts,
                        ok=lambda r: r.status == 302)  # fmt: skip
        result["client_ms"] = (time.process_time() - client_before) * 1000 / max(post.ok, 1)
        result["ack_rate"], result["drain"] = post.rate, 0.0
        if pending is not None:
            started = time.perf_counter()
            while pending() and time.perf_counter() - started < 300:
                time.sleep(0.05)
            result["drain"] = time.perf_counter() - started
            post.seconds += result["drain"]
            out(f"  {system.name} receipts recorded {result['drain']:.2f} s after the load ended "
                f"(acknowledged {result['ack_rate']:.1f}/s during the load)")  # fmt: skip
        result["cpu_ms"] = (
            (loadclient.cpu_seconds(pid, extra_pids) - cpu_before) * 1000 / max(post.ok, 1)
        )
        database_cpu.__exit__()
        result["db_ms"] = database_cpu.seconds * 1000 / max(post.ok, 1)
        extra_ms = ((sum(loadclient.cpu_seconds(p) for p in extra_pids) - extra_before) * 1000
                    / max(post.ok, 1))  # fmt: skip
        out(f"  {system.name} server CPU per submission: {result['cpu_ms']:.2f} ms"
            + (f" (intake worker {extra_ms:.2f} ms of it)" if extra_pids else "")
            + f"; load client {result['client_ms']:.2f} ms per POST"
            + (f"; PostgreSQL {result['db_ms']:.2f} ms" if engine == "postgres" else ""))  # fmt: skip
        stored = count() - before
        out(f"  {system.name} submission POST: {post.summary()}; stored {stored}")
        if post.errors:
            out(f"    errors: {post.errors[:3]}")
        result["post"], result["stored"] = post, stored

        def staff(_i):
            session = Session(port)
            session.login(system.login_path, system.user, system.password)
            return session

        for key, path in (("inbox", system.inbox_path()), ("search", system.search_path())):
            staff(0).get(path)  # warm
            load = run_load(staff, lambda s, n, p=path: s.get(p), clients=1, seconds=seconds,
                            max_requests=300)  # fmt: skip
            out(f"  {system.name} {key}: {load.summary()}")
            result[key] = load
        rss.sample()
    result["rss_total"] = rss.peak_total_kib / 1024
    result["rss_worker"] = rss.peak_worker_kib / 1024
    result["rss_extra"] = rss.peak_extra_kib / 1024
    out(f"  {system.name} peak RSS: {result['rss_total']:.0f} MiB total, "
        f"{result['rss_worker']:.0f} MiB largest worker"
        + (f", {result['rss_extra']:.0f} MiB intake worker" if extra_pids else ""))  # fmt: skip
    return result


def check_inbox_pages(system: System, port: int) -> None:
    """Both answers must be real pages with rows, not login redirects or errors."""
    session = Session(port)
    session.login(system.login_path, system.user, system.password)
    for path in (system.inbox_path(), system.search_path()):
        resp = session.get(path)
        if resp.status != 200:
            raise RuntimeError(f"{system.name} {path}: HTTP {resp.status}")
        body = resp.body.decode()
        rows = (
            body.count('class="demand-row')
            if isinstance(system, Unionhome)
            else len(json.loads(body)["data"])
        )
        if rows == 0:
            raise RuntimeError(f"{system.name} {path}: no rows")


def serve_unionhome(engine: str, db: str, log: Path):
    return loadclient.Gunicorn(UH_GUNICORN, "unionhome.wsgi:application", cwd=ROOT,
                               env=uh_env(engine, db), log=log)  # fmt: skip


class IntakeWorker:
    """unionhome's `manage.py intake_worker`, next to gunicorn, as `make run` and a deployment
    run it: it records the web form's receipts as demands."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        self.out = open(self.log, "ab")
        self.proc = subprocess.Popen([str(UH_PYTHON), "manage.py", "intake_worker"], cwd=ROOT,  # noqa: S603
                                     env=self.env, stdout=self.out, stderr=subprocess.STDOUT)  # fmt: skip
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


def queue_db(engine: str, db: str) -> str:
    """Where unionhome keeps the web form's receipts: on SQLite a file of their own beside the
    main one (the settings' default for UNIONHOME_SQLITE_INTAKE_PATH), else the same database."""
    if engine != "sqlite":
        return db
    return str(Path(db).with_name(Path(db).stem + "-intake.sqlite3"))


def pending_receipts(engine: str, db: str) -> int:
    """Receipts not yet recorded, read straight from the database (no Django start-up)."""
    return _one(engine, queue_db(engine, db),
                "SELECT COUNT(*) FROM demands_demandreceipt WHERE processed_at IS NULL")  # fmt: skip


def _one(engine: str, db: str, sql: str):
    if engine == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
            row = conn.execute(sql).fetchone()
    else:
        import psycopg

        with psycopg.connect(PG + db) as conn:
            row = conn.execute(sql).fetchone()
    return row[0] if row else None


def pending_inline(engine: str, db: str, port: int) -> int:
    """`--intake inline`: what a worker's browser does on the "received" page, which refreshes
    itself: fetch the tracking page of the oldest pending receipt (a web worker then records the
    oldest batch)."""
    code = _one(engine, queue_db(engine, db), "SELECT tracking_code FROM demands_demandreceipt "
                            "WHERE processed_at IS NULL ORDER BY received_at LIMIT 1")  # fmt: skip
    if code is None:
        return 0
    Session(port).get(f"/d/t/{code}/")
    return pending_receipts(engine, db)


def serve_helpdesk(engine: str, db: str, log: Path):
    return loadclient.Gunicorn(HD_VENV / "bin" / "gunicorn", "helpdesk_site.wsgi:application",
                               cwd=BENCH / "peer", env=hd_env(engine, db), log=log)  # fmt: skip


def run(engine: str, items: int, *, seconds: float = 10, max_posts: int = 20000,
        peer: bool = True, seed: bool = True, measure_: bool = True, out=print) -> dict:  # fmt: skip
    """One engine: seed, serve and measure unionhome (and helpdesk when `peer`)."""
    VAR.mkdir(parents=True, exist_ok=True)
    uh_db = str(VAR / "peer_uh.sqlite3") if engine == "sqlite" else f"{PG_DB_PREFIX}_uh"
    hd_db = str(VAR / "peer_hd.sqlite3") if engine == "sqlite" else f"{PG_DB_PREFIX}_hd"
    log = VAR / "gunicorn.log"
    results: dict = {"engine": engine, "items": items}
    systems = [(Unionhome(), uh_db, uh_env, serve_unionhome, uh_count)]
    if peer:
        systems.append((Helpdesk(), hd_db, hd_env, serve_helpdesk, hd_count))
    for system, db, make_env, serve, counter in systems:
        env = make_env(engine, db)
        if seed:
            started = time.perf_counter()
            reset_database(engine, db)
            if isinstance(system, Unionhome):
                _py(UH_PYTHON, [__file__, "_seed", "--items", str(items)], env)
            else:
                python = HD_VENV / "bin" / "python"
                _py(python, ["-m", "django", "migrate", "--noinput"], env)
                _py(python, ["-m", "django", "seed_peer", "--items", str(items)], env)
            out(f"{engine}: seeded {system.name} with {items:,} items in "
                f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        if not measure_:
            continue
        with serve(engine, db, log) as server, contextlib.ExitStack() as stack:
            check_inbox_pages(system, server.port)
            extra, pending = (), None
            if isinstance(system, Unionhome) and UH_EXTRA_ENV:
                pending = lambda e=engine, d=db, p=server.port: pending_inline(e, d, p)  # noqa: E731
            elif isinstance(system, Unionhome):
                worker = stack.enter_context(IntakeWorker(env, log))
                extra = (worker.proc.pid,)
                pending = lambda e=engine, d=db: pending_receipts(e, d)  # noqa: E731
            results[system.name] = measure(system, server.port, server.pid,
                                           lambda c=counter, e=env: c(e), seconds=seconds,
                                           max_posts=max_posts, pending=pending,
                                           extra_pids=extra, engine=engine, out=out)  # fmt: skip
    return results


def _ratio(uh: float, hd: float, higher_is_better: bool) -> str:
    if not uh or not hd:
        return "—"
    value = uh / hd if higher_is_better else hd / uh
    return f"{value:.1f}× {'ahead' if value >= 1 else 'behind'}"


def _all_cpu_ms(r: dict) -> float:
    return r["cpu_ms"] + r.get("db_ms", 0) + r["client_ms"]


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    uh, hd = results["unionhome"], results.get("django-helpdesk")
    out = []

    def line(label, fmt, key, higher_is_better, figure):
        u = figure(uh)
        h = figure(hd) if hd else None
        out.append((label, fmt(uh), fmt(hd) if hd else "—",
                    _ratio(u, h, higher_is_better) if hd else "—"))  # fmt: skip

    line("submit page GET (4 clients)", lambda r: f"{r['get'].rate:.0f} req/s, p99 {r['get'].p99:.0f} ms",
         "get", True, lambda r: r["get"].rate)  # fmt: skip
    line("submission POST (4 clients)",
         lambda r: f"{r['post'].rate:.1f}/s, p50 {r['post'].p50:.0f} / p99 {r['post'].p99:.0f} ms, "
                   f"stored {r['stored']}/{r['post'].ok}"
                   + (f", recorded {r['drain']:.1f} s after the load" if r.get("drain") else ""),
         "post", True, lambda r: r["post"].rate)  # fmt: skip
    line("server CPU per submission (all its processes)",
         lambda r: f"{r['cpu_ms']:.2f} ms", "cpu", False, lambda r: r["cpu_ms"])  # fmt: skip
    cores = os.cpu_count() or 1
    if any(r and r.get("db_ms") for r in (uh, hd)):  # PostgreSQL; SQLite runs in the processes
        line("database server CPU per submission (PostgreSQL's backends)",
             lambda r: f"{r.get('db_ms', 0):.2f} ms", "db", False,
             lambda r: r.get("db_ms", 0))  # fmt: skip
    line(f"CPU-bound ceiling: {cores} cores ÷ (server + database + load client CPU)",
         lambda r: f"{cores * 1000 / _all_cpu_ms(r):.0f}/s (client {r['client_ms']:.2f} ms)",
         "ceiling", True, lambda r: 1 / _all_cpu_ms(r))  # fmt: skip
    for key, label in (("inbox", "inbox / staff list, open, first page"),
                       ("search", "search 工资, all items")):  # fmt: skip
        line(label, lambda r, k=key: f"p50 {r[k].p50:.0f} ms, p99 {r[k].p99:.0f} ms", key, False,
             lambda r, k=key: r[k].p99)  # fmt: skip
    line("peak RSS master + workers (largest worker)",
         lambda r: f"{r['rss_total']:.0f} MiB ({r['rss_worker']:.0f})"
                   + (f", intake worker {r['rss_extra']:.0f} in the total" if r.get("rss_extra") else ""),
         "rss", False,
         lambda r: r["rss_worker"])  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15, help="per scenario")
    parser.add_argument("--max-posts", type=int, default=20000)
    parser.add_argument("--no-seed", action="store_true", help="reuse the databases of a last run")
    parser.add_argument("--no-peer", action="store_true", help="unionhome only")
    parser.add_argument("--seed-only", action="store_true", help="seed, measure later")
    parser.add_argument("--intake", choices=("worker", "inline"), default="worker",
                        help="unionhome's receipts recorded by its intake worker (as deployed) "
                             "or by the gunicorn workers themselves (no extra process)")  # fmt: skip
    args = parser.parse_args()
    if args.intake == "inline":
        UH_EXTRA_ENV["UNIONHOME_INTAKE_INLINE_AFTER"] = "0"
    if not args.no_peer and not (HD_VENV / "bin" / "gunicorn").exists():
        print("django-helpdesk venv missing: run `make bench-peer` (it installs it)")
        return 2
    failures = 0
    tables = []
    for engine in args.engines.split(","):
        results = run(engine, args.items, seconds=args.seconds, max_posts=args.max_posts,
                      peer=not args.no_peer, seed=not args.no_seed,
                      measure_=not args.seed_only)  # fmt: skip
        if args.seed_only:
            continue
        for name in ("unionhome", "django-helpdesk"):
            r = results.get(name)
            if r and r["stored"] != r["post"].ok:
                print(f"{engine} {name}: stored {r['stored']} != acknowledged {r['post'].ok}")
                failures += 1
        tables.append(f"\n{engine} — {args.items:,} items, gunicorn 2 sync workers each\n"
                      + loadclient.table(rows(results)))  # fmt: skip
    if args.seed_only:
        return 0
    print("\n".join(tables))
    print(
        "ratio: > 1 means unionhome is ahead (rates: unionhome ÷ helpdesk; times and memory: "
        "helpdesk ÷ unionhome)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("_seed", "_count"):
        sys.path.insert(0, str(ROOT / "src"))
        if sys.argv[1] == "_seed":
            seed_unionhome(int(sys.argv[3]))
        else:
            import django

            django.setup()
            from unionhome.demands.models import Demand

            print(Demand.objects.count())
        sys.exit(0)
    sys.exit(main())
