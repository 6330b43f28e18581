"""Intake throughput: `demands.intake.submit_demand`, the code every channel runs, in-process.

    .venv/bin/python bench/intake.py                      # SQLite, a throw-away file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/intake.py
    .venv/bin/python bench/intake.py --profile            # plus pyinstrument's top frames

Builds the demo tree in a throw-away test database, warms the lazily loaded parts (spam check,
classifier, address recognition) with one submission, then submits N demands one after another
(web channel, contact details given, so encryption, blind index and both rate-limit counters run)
and prints submissions per second with p50/p99 per submission — one process, one core: gunicorn's
two workers can do about twice this. Then the web form's path for N more: a receipt each
(`receipts.receive_demand`), recorded by the intake worker's batches (`receipts.drain`), with
the CPU of each step. `bench-peer` measures the same over HTTP.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def run(n: int = 300, profile: bool = False, out=print) -> dict:
    from django.core.cache import cache
    from django.test import override_settings
    from peer.data import submission

    from unionhome.demands import intake
    from unionhome.orgs.demo import DemoBuilder

    DemoBuilder().build()

    def one(i: int) -> None:
        s = submission(i)
        intake.submit_demand(intake.Intake(
            description=s["description"], employer_name=s["employer"], contact_name=s["name"],
            contact_phone=s["phone"]), channel="web", throttle_key=f"10.0.{i // 250}.{i % 250}")  # fmt: skip

    with override_settings(UNIONHOME_INTAKE_LIMIT_PER_HOUR=10**9):
        cache.clear()
        started = time.perf_counter()
        one(10**6)
        out(
            f"first submission (loads the lazy parts): {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        samples = []
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        started = time.perf_counter()
        for i in range(n):
            t = time.perf_counter_ns()
            one(i)
            samples.append((time.perf_counter_ns() - t) / 1e6)
        elapsed = time.perf_counter() - started
        if profiler:
            profiler.stop()
            out(profiler.output_text(unicode=True, color=False)[:5000])
        # The web form's path: a receipt per submission, then the intake worker's batches.
        from unionhome.demands import receipts

        started, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            s = submission(n + i)
            receipts.receive_demand(intake.Intake(
                description=s["description"], employer_name=s["employer"],
                contact_name=s["name"], contact_phone=s["phone"]), channel="web",
                throttle_key=f"10.1.{i // 250}.{i % 250}")  # fmt: skip
        ack_cpu = (time.process_time() - cpu) / n * 1000
        cpu = time.process_time()
        recorded = receipts.drain()
        record_cpu = (time.process_time() - cpu) / max(recorded, 1) * 1000
        web_elapsed = time.perf_counter() - started
    samples.sort()
    result = {"rate": n / elapsed, "p50": samples[len(samples) // 2],
              "p99": samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))],
              "web_rate": n / web_elapsed, "ack_cpu": ack_cpu, "record_cpu": record_cpu}  # fmt: skip
    out(f"intake: {result['rate']:.1f}/s (one process), p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms over {n} submissions")  # fmt: skip
    out(f"baseline in the same run, the web form's receipts: {result['web_rate']:.1f}/s (one "
        f"process: {ack_cpu:.2f} ms CPU to acknowledge + {record_cpu:.2f} ms to record, "
        f"{recorded} recorded in batches)")  # fmt: skip
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    with tempfile.TemporaryDirectory() as tmp:
        for alias, database in settings.DATABASES.items():  # on SQLite, the queue's file too
            if database["ENGINE"].endswith("sqlite3"):
                database.setdefault("TEST", {})["NAME"] = str(Path(tmp) / f"{alias}.sqlite3")
        old = setup_databases(verbosity=0, interactive=False)
        try:
            run(args.n, args.profile)
        finally:
            teardown_databases(old, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
