"""The national-scale benchmark's harness, run small so that it cannot rot: it loads stations
across China, times the indexed query against the full scan, and both find the same stations."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings


def _bench():
    path = Path(settings.BASE_DIR) / "bench" / "stations_nearest.py"
    spec = importlib.util.spec_from_file_location("stations_nearest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_benchmark_harness_at_small_scale_agrees_with_the_full_scan():
    lines: list[str] = []
    result = _bench().run(n_stations=2000, n_queries=200, n_baseline=40, out=lines.append)
    assert result["stations"] == 2000
    assert result["mismatches"] == 0
    assert result["indexed"]["n"] == 200 and result["baseline"]["n"] == 40
    assert any(line.startswith("indexed (H3 + box)") for line in lines)
    assert any(line.startswith("baseline (full scan)") for line in lines)


def test_generated_points_lie_in_china():
    import random

    from unionhome.stations import geo

    points = _bench().points(2000, random.Random(1))
    assert all(geo.in_china(lat, lng) for lat, lng in points)
