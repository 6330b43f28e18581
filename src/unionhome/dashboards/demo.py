"""Demo data: the roll-ups rebuilt after every other app's demo seeder."""

from __future__ import annotations

from . import rollups


def seed_demo_rollups(named, scale: int) -> str:
    """The demo seeders move demands back in time with bulk updates, which the roll-up signals
    do not see: recount once at the end, so the dashboards match the demo's rows."""
    counts = rollups.rebuild()
    return f"dashboards: roll-ups rebuilt ({sum(counts.values()):,} rows)"
