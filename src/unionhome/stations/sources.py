"""Worker locations this app reads from other apps, registered as coverage sources in apps.py."""

from __future__ import annotations

from collections.abc import Iterator


def demand_points(org_path: str) -> Iterator[tuple[float, float]]:
    """WGS-84 points of demands in the subtree that carry coordinates (from a phone or Open311)."""
    from unionhome.demands.models import Demand

    rows = (
        Demand.objects.in_subtree(org_path)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values_list("latitude", "longitude")
    )
    for lat, lng in rows.iterator(chunk_size=2000):
        yield float(lat), float(lng)
