"""The 15-minute service circle for a subtree: who is covered, where the gaps are, where to build.

Workers are the points the registered location sources yield for the subtree (demands with
coordinates now; members' workplaces once the members app registers them). A worker is covered
when an open station lies within walking reach (`geo.Walk`), whoever runs that station: a worker
at the edge of a district is served by the neighbour's station too.

- **Share covered**: covered points / valid points (points outside China are skipped, counted).
- **Gaps**: uncovered points grouped by H3 cell (resolution 8 by default, ≈0.7 km² per hexagon).
- **Suggestions**: greedy maximum coverage. Candidate sites are the centres of the H3 cells
  around uncovered points; each round takes the site that would bring the most still-uncovered
  workers within reach, then removes them. Greedy is within 1 - 1/e of the best possible set and,
  unlike ranking hexagons independently, never counts one worker for two suggestions.

Identical coordinates (many members share one workplace) are weighed once, with their count.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from unionhome.core.registry import location_sources
from unionhome.orgs.models import Org

from . import geo
from .models import Place, Station, StationStatus


@dataclass
class SourceFigures:
    key: str
    label: str
    total: int = 0
    covered: int = 0
    skipped: int = 0


@dataclass
class Hexagon:
    cell: str
    uncovered: int
    latitude: float
    longitude: float
    boundary: list[tuple[float, float]]


@dataclass
class Suggestion:
    rank: int
    cell: str
    latitude: float
    longitude: float
    gain: int
    share_after: float | None
    near: str

    @property
    def share_after_percent(self) -> float | None:
        return round(self.share_after * 100, 1) if self.share_after is not None else None


@dataclass
class Coverage:
    org: Org
    walk: geo.Walk
    total: int = 0
    covered: int = 0
    skipped: int = 0
    sources: list[SourceFigures] = field(default_factory=list)
    hexagons: list[Hexagon] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    station_count: int = 0

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    @property
    def share(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def share_percent(self) -> float | None:
        return round(self.share * 100, 1) if self.total else None


def _collect(org: Org, coverage: Coverage) -> dict[tuple[float, float], list]:
    """{point: [weight, {source keys}]} over all sources, exact duplicates folded."""
    points: dict[tuple[float, float], list] = {}
    for source in location_sources():
        figures = SourceFigures(source.key, str(source.label))
        for lat, lng in source.fn(org.path):
            try:
                point = geo.check_point(lat, lng)
            except Exception:  # any bad point is skipped and counted
                figures.skipped += 1
                continue
            figures.total += 1
            entry = points.setdefault((round(point[0], 6), round(point[1], 6)), [0, Counter()])
            entry[0] += 1
            entry[1][source.key] += 1
        coverage.sources.append(figures)
    coverage.skipped = sum(s.skipped for s in coverage.sources)
    return points


def _stations_by_cell(cells: set[str], points, reach: float) -> dict[str, list]:
    """Open stations in `cells`, read in one pass over the box around all points (plus reach).

    For a batch of points this beats asking per cell: the disks of 10,000 scattered workers
    hold some 200,000 cells, and sending them as parameters cost more than reading the box."""
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    if not points:
        return found
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    d_lat, d_lng = geo.box_degrees(max(map(abs, lats)), reach)
    rows = (
        Station.objects.filter(
            status=StationStatus.OPEN,
            latitude__range=(min(lats) - d_lat, max(lats) + d_lat),
            longitude__range=(min(lngs) - d_lng, max(lngs) + d_lng),
        )
        .order_by()
        .values_list("h3_cell", "latitude", "longitude")
    )
    for cell, lat, lng in rows.iterator(chunk_size=5000):
        if cell in cells:
            found[cell].append((lat, lng))
    return found


def _disks(points, reach: float) -> dict[tuple[float, float], list[str]]:
    disk_of_cell: dict[str, list[str]] = {}
    result = {}
    for point in points:
        cell = geo.cell_of(*point)
        if cell not in disk_of_cell:
            disk_of_cell[cell] = list(geo.h3().grid_disk(cell, geo.disk_k(cell, reach)))
        result[point] = disk_of_cell[cell]
    return result


def compute_coverage(
    org: Org, *, walk: geo.Walk | None = None, top: int = 10, resolution: int = 8
) -> Coverage:
    """Coverage of `org`'s subtree. The caller has checked the user may see `org`."""
    walk = walk or geo.Walk.from_settings()
    reach = walk.reach_m
    result = Coverage(org=org, walk=walk)
    points = _collect(org, result)
    disks = _disks(points, reach)
    stations = _stations_by_cell({c for disk in disks.values() for c in disk}, list(points), reach)
    result.station_count = sum(len(v) for v in stations.values())

    uncovered: dict[tuple[float, float], int] = {}
    by_source = {s.key: s for s in result.sources}
    for point, (weight, source_counts) in points.items():
        result.total += weight
        covered = any(
            geo.haversine_m(*point, *station) <= reach
            for cell in disks[point]
            for station in stations.get(cell, ())
        )
        if covered:
            result.covered += weight
            for key, n in source_counts.items():
                by_source[key].covered += n
        else:
            uncovered[point] = weight

    gaps: Counter[str] = Counter()
    for point, weight in uncovered.items():
        gaps[geo.h3().latlng_to_cell(*point, resolution)] += weight
    for cell, n in sorted(gaps.items(), key=lambda kv: (-kv[1], kv[0])):
        lat, lng = geo.h3().cell_to_latlng(cell)
        result.hexagons.append(Hexagon(cell, n, lat, lng, list(geo.h3().cell_to_boundary(cell))))

    result.suggestions = _suggest(uncovered, disks, reach, result, top)
    return result


def _suggest(uncovered, disks, reach, result: Coverage, top: int) -> list[Suggestion]:
    """Greedy maximum coverage with lazy re-evaluation (a gain only ever shrinks)."""
    reached: dict[str, set[tuple[float, float]]] = defaultdict(set)
    centres: dict[str, tuple[float, float]] = {}
    for point in uncovered:
        for cell in disks[point]:
            centre = centres.get(cell)
            if centre is None:
                centre = centres[cell] = geo.h3().cell_to_latlng(cell)
            if geo.haversine_m(*point, *centre) <= reach:
                reached[cell].add(point)
    heap = [(-sum(uncovered[p] for p in pts), cell) for cell, pts in reached.items()]
    heapq.heapify(heap)
    taken: set[tuple[float, float]] = set()
    places = list(Place.objects.values_list("name", "latitude", "longitude"))
    suggestions: list[Suggestion] = []
    covered = result.covered
    while heap and len(suggestions) < top:
        negative_gain, cell = heapq.heappop(heap)
        gain = sum(uncovered[p] for p in reached[cell] - taken)
        if gain <= 0:
            continue
        if gain < -negative_gain:  # stale: push back with its true gain
            heapq.heappush(heap, (-gain, cell))
            continue
        taken |= reached[cell]
        covered += gain
        lat, lng = centres[cell]
        suggestions.append(
            Suggestion(
                rank=len(suggestions) + 1,
                cell=cell,
                latitude=lat,
                longitude=lng,
                gain=gain,
                share_after=covered / result.total if result.total else None,
                near=_nearest_place(places, lat, lng),
            )
        )
    return suggestions


def _nearest_place(places, lat: float, lng: float, within_m: float = 3000) -> str:
    best = min(
        ((geo.haversine_m(lat, lng, p_lat, p_lng), name) for name, p_lat, p_lng in places),
        default=None,
    )
    return best[1] if best and best[0] <= within_m else ""
