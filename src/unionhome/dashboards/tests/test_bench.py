"""The dashboard benchmark runs at small scale in the suite, so it cannot rot between full runs."""

import importlib.util
from pathlib import Path

import pytest

from unionhome.dashboards import rollups

BENCH = Path(__file__).resolve().parents[4] / "bench" / "dashboard.py"


@pytest.mark.django_db
def test_dashboard_benchmark_agrees_with_the_naive_recount_at_small_scale(capsys):
    spec = importlib.util.spec_from_file_location("dashboard_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.run(150, 500, runs=2, baseline_runs=1) == 0
    out = capsys.readouterr().out
    assert "children rows equal to the naive recount: True" in out
    assert "national page, 30 days" in out and "baseline: naive COUNT" in out
    # The generated data's roll-ups equal the maintained definition, row for row.
    assert rollups.check() == []
