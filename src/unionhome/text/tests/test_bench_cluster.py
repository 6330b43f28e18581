"""The clustering benchmark runs at small scale in the suite, so it cannot rot between full runs."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[4] / "bench" / "cluster_demands.py"


def test_cluster_benchmark_runs_and_finds_the_generated_cases(capsys):
    spec = importlib.util.spec_from_file_location("cluster_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.run(3000, 200, workers=1) == 0
    out = capsys.readouterr().out
    assert "cluster_items: 3,000 demands" in out and "baseline (datasketch" in out
    precision = float(out.split("duplicate pairs: precision ")[1].split(",")[0])
    recall = float(out.split("recall ")[1].split(";")[0])
    assert precision >= 0.8 and recall >= 0.8


def test_generated_demands_mix_scripts_and_name_employers_in_several_ways():
    spec = importlib.util.spec_from_file_location("cluster_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    items, dups, topics, known = bench.generate(2000, seed=5)
    assert len(set(topics)) > 12 and len(known) >= 200
    assert len(items) == 2000 and len({item.id for item in items}) == 2000
    assert sum("們" in item.text or "資" in item.text for item in items) > 100  # Traditional
    assert sum(bool(item.employer) for item in items) > 100  # declared only
    assert sum(d is not None for d in dups) > 1000  # many near-duplicates
    assert bench.pair_scores(dups, dups) == (1.0, 1.0)
