"""The 10-million-demand inbox benchmark, run tiny so that its loader and timing cannot rot."""

import importlib.util
from pathlib import Path

from django.conf import settings

from unionhome.demands.models import Demand, DemandTerm


def test_inbox_benchmark_loads_demands_and_times_both_page_variants(db):
    path = Path(settings.BASE_DIR) / "bench" / "inbox.py"
    spec = importlib.util.spec_from_file_location("inbox_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    lines = []
    result = bench.run(n_demands=400, runs=3, baseline_runs=2, out=lines.append, scale=1)
    assert result["demands"] == Demand.objects.count() == 400
    assert 0 < result["open"] < 400
    for kind in ("indexed", "baseline"):
        for label in bench.USERS:
            assert result[kind][label]["rows"] > 0  # rows of a real page, not an error page
            assert result[kind][label]["p99"] > 0
    assert not DemandTerm.objects.exists()  # the inbox benchmark does not search
    assert any(line.startswith("indexed county") for line in lines)
    assert result["tiles_ok"]  # the tiles read the roll-ups, rebuilt after the bulk load
