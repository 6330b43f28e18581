"""The peer benchmark's harness, without django-helpdesk and without data, so it cannot rot:
unionhome starts under gunicorn on a free port, the bounded load client drives it and reports
figures, the RSS sampler sees master and workers, and the comparison table prints."""

import importlib.util
import sys
from pathlib import Path

from django.conf import settings

BENCH = Path(settings.BASE_DIR) / "bench"


def _module(name):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_harness_serves_unionhome_and_the_load_client_reports_figures(tmp_path):
    compare = _module("peer_compare")
    loadclient = compare.loadclient
    env = compare.uh_env("sqlite", str(tmp_path / "smoke.sqlite3"))
    env["UNIONHOME_VAR_DIR"] = str(tmp_path)
    server = loadclient.Gunicorn(compare.UH_GUNICORN, "unionhome.wsgi:application",
                                 cwd=compare.ROOT, env=env, log=tmp_path / "gunicorn.log")  # fmt: skip
    with server, loadclient.RssSampler(server.pid) as rss:
        result = loadclient.run_load(
            lambda _i: loadclient.Session(server.port),
            lambda session, _n: session.get("/d/new/"),
            clients=2, seconds=180, max_requests=4,
        )  # fmt: skip
        rss.sample()
    assert (result.ok, result.failed) == (4, 0), result.errors
    assert 0 < result.p50 <= result.p99
    assert rss.peak_worker_kib > 0
    assert rss.peak_total_kib > rss.peak_worker_kib  # master + two workers


def test_load_client_stops_at_the_request_bound_and_counts_failures():
    loadclient = _module("loadclient")
    calls = []

    def step(_session, n):
        calls.append(n)
        return loadclient.Response(500 if n % 2 else 200, {}, b"", 1.0)

    result = loadclient.run_load(lambda _i: None, step, clients=3, seconds=30, max_requests=10)
    assert sorted(calls) == list(range(10))
    assert (result.ok, result.failed) == (5, 5)


def test_table_sets_both_systems_side_by_side_with_the_ratio():
    compare = _module("peer_compare")
    loadclient = compare.loadclient

    def fake(rate, p99, cpu_ms):
        load = loadclient.LoadResult(int(rate * 10), 0, 10.0, [p99 / 2, p99], [])
        return {"get": load, "post": load, "stored": load.ok, "inbox": load, "search": load,
                "rss_total": 150.0, "rss_worker": 60.0, "cpu_ms": cpu_ms, "client_ms": 1.0}  # fmt: skip

    text = loadclient.table(compare.rows({"unionhome": fake(150, 20, 2.0),
                                          "django-helpdesk": fake(50, 80, 5.0)}))  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == "| scenario | unionhome | django-helpdesk | ratio |"
    assert "3.0× ahead" in lines[3]  # submissions: 150/s against 50/s
    assert "2.5× ahead" in lines[4]  # CPU per submission: 5 ms against 2 ms
    assert "2.0× ahead" in lines[5]  # ceiling: (5 + 1) ms against (2 + 1) ms of CPU each
    assert "4.0× ahead" in lines[6]  # inbox p99: 80 ms against 20 ms
    assert len(lines) == 2 + 7  # no database CPU row: SQLite's work is in the processes

    with_database = {name: {**r, "db_ms": ms} for (name, r), ms in zip(
        (("unionhome", fake(150, 20, 2.0)), ("django-helpdesk", fake(50, 80, 5.0))), (1.0, 3.0),
        strict=True)}  # fmt: skip
    lines = loadclient.table(compare.rows(with_database)).splitlines()
    assert "database server CPU" in lines[5] and "3.0× ahead" in lines[5]
    assert "2.2× ahead" in lines[6]  # ceiling: (5 + 3 + 1) against (2 + 1 + 1) ms


def test_intake_worker_records_what_the_web_form_acknowledged_and_stops_cleanly(tmp_path):
    """Web form under gunicorn → receipts → `manage.py intake_worker` (as `make run` and the
    peer benchmark run it) → demands; SIGTERM stops the worker after its current batch."""
    import sqlite3
    import subprocess
    import time

    compare = _module("peer_compare")
    loadclient = compare.loadclient
    db = str(tmp_path / "intake.sqlite3")
    env = compare.uh_env("sqlite", db)
    env["UNIONHOME_VAR_DIR"] = str(tmp_path)
    subprocess.run(  # noqa: S603 — our own interpreter and code
        [str(compare.UH_PYTHON), "-c", "import django; django.setup(); "
         "from django.core.management import call_command; call_command('migrate', verbosity=0); "
         "from unionhome.testing.personas import build_cast; build_cast()"],
        cwd=compare.ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    server = loadclient.Gunicorn(compare.UH_GUNICORN, "unionhome.wsgi:application",
                                 cwd=compare.ROOT, env=env, log=tmp_path / "gunicorn.log")  # fmt: skip
    with server, compare.IntakeWorker(env, tmp_path / "worker.log") as worker:

        def submitter(_i):
            session = loadclient.Session(server.port)
            session.get("/d/new/")
            return session

        result = loadclient.run_load(
            submitter, lambda s, n: s.post("/d/new/", compare.Unionhome().submit_form(n)),
            clients=1, seconds=60, max_requests=3, ok=lambda r: r.status == 302,
        )  # fmt: skip
        assert result.ok == 3, result.errors
        deadline = time.monotonic() + 60
        while compare.pending_receipts("sqlite", db) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert compare.pending_receipts("sqlite", db) == 0
        worker_proc = worker.proc
    assert worker_proc.returncode == 0
    assert "recorded=3" in (tmp_path / "worker.log").read_text()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM demands_demand").fetchone()[0] == 3
