"""The roster benchmark runs at small scale in the suite, so it cannot rot between full runs."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[4] / "bench" / "roster_import.py"


def test_roster_benchmark_reports_exactly_the_planted_rows_and_saves_all_corrected(db, capsys):
    spec = importlib.util.spec_from_file_location("roster_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.run(400, 0.05) == 0
    out = capsys.readouterr().out
    assert "bad rows reported exactly: True" in out and "rows saved: 400 of 400" in out
