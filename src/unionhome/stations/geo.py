"""Coordinates for China, walking reach and the H3 index behind the nearest-stations query.

Datum. Everything stored is WGS-84 (what GPS and the browser's Geolocation API give). Chinese map
tiles (Amap/高德, Tencent, Tianditu's commercial mirrors) are drawn in GCJ-02, a legally mandated
obfuscation that shifts points by 100–700 m; a WGS-84 marker on a GCJ-02 tile lands beside the
street. So coordinates are converted only at the edge: to GCJ-02 for markers when the tiles are
Chinese, and from GCJ-02 when a clerk pastes coordinates picked on such a map.

The transform is the published GCJ-02 formula (Krasovsky 1940 ellipsoid), a few lines of
arithmetic; its inverse has no closed form and is solved by fixed-point iteration to well under a
millimetre. `tests/test_geo.py` pins both against reference points (Shanghai, Shenzhen, Beijing).
Outside the rectangle the formula is defined for, there is no shift (the rectangle also covers
some neighbours, e.g. Seoul: harmless, as stations must lie inside China's own box).

Walking reach. "Within 15 minutes' walk" is straight-line (great-circle) distance times a detour
factor, divided by the walking speed: walking minutes = haversine × detour / speed. Streets are
not straight lines; measured route/straight-line ratios in city street grids are about 1.2–1.4,
so the default factor is 1.3. With 4.5 km/h and 15 minutes a station counts as reachable when it
lies within 1125 m / 1.3 ≈ 865 m as the crow flies. All three numbers are settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)

# China's extreme points (Mohe 53.56 N, Zengmu Ansha 3.86 N, Pamirs 73.50 E, Fuyuan 135.09 E),
# rounded outwards: a station outside it is a typing error, most often latitude and longitude
# entered the wrong way round.
CHINA_LAT = (3.8, 53.6)
CHINA_LNG = (73.4, 135.1)

# Where the GCJ-02 formula applies (the conventional rectangle used by every implementation).
_GCJ_LAT = (0.8293, 55.8271)
_GCJ_LNG = (72.004, 137.8347)
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323

# Stations are indexed by their H3 cell at this resolution (average edge ≈ 530 m): a walking
# radius of under a kilometre is a disk of two or three rings of cells. Changing it needs a data
# migration recomputing `Station.h3_cell`.
H3_RESOLUTION = 8


# --- Validation --------------------------------------------------------------------------------
def in_china(lat: float, lng: float) -> bool:
    return CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LNG[0] <= lng <= CHINA_LNG[1]


def check_point(lat, lng, *, field: str = "latitude") -> tuple[float, float]:
    """Floats for a valid point inside China, or a ValidationError that says what is wrong."""
    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValidationError(
            {field: [_("请填写数字形式的纬度和经度，如 31.5700 和 120.3000。")]}, code="not_number"
        ) from None
    if not (math.isfinite(lat_f) and math.isfinite(lng_f)):
        raise ValidationError({field: [_("经纬度必须是有限的数字。")]}, code="not_number")
    swapped_hint = in_china(lng_f, lat_f)
    if not -90 <= lat_f <= 90:
        message = (
            _("纬度%(lat)s超出范围（-90至90）：经纬度可能填反了，应为纬度%(lng)s、经度%(lat)s。")
            if swapped_hint
            else _("纬度%(lat)s超出范围（-90至90）。")
        )
        raise ValidationError(
            {field: [message % {"lat": lat, "lng": lng}]},
            code="swapped" if swapped_hint else "lat_range",
        )
    if not -180 <= lng_f <= 180:
        raise ValidationError(
            {field: [_("经度%(lng)s超出范围（-180至180）。") % {"lng": lng}]}, code="lng_range"
        )
    if not in_china(lat_f, lng_f):
        if swapped_hint:
            message = _(
                "纬度%(lat)s、经度%(lng)s不在中国境内：经纬度可能填反了，应为纬度%(lng)s、经度%(lat)s。"
            )
            code = "swapped"
        else:
            message = _("纬度%(lat)s、经度%(lng)s不在中国境内，请核对坐标。")
            code = "outside_china"
        raise ValidationError({field: [message % {"lat": lat, "lng": lng}]}, code=code)
    return lat_f, lng_f


# --- Distances and walking -----------------------------------------------------------------------
def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_degrees(lat: float, radius_m: float) -> tuple[float, float]:
    """Half-height and half-width in degrees of a box holding every point within `radius_m`
    (0.5 % spare for the sphere-versus-ellipsoid difference and rounding)."""
    d_lat = radius_m / (EARTH_RADIUS_M * math.pi / 180) * 1.005
    d_lng = d_lat / max(math.cos(math.radians(min(abs(lat) + d_lat, 89.9))), 1e-6)
    return d_lat, d_lng


@dataclass(frozen=True)
class Walk:
    speed_kmh: float
    minutes: float
    detour: float

    @classmethod
    def from_settings(cls) -> Walk:
        return cls(
            speed_kmh=settings.UNIONHOME_WALK_SPEED_KMH,
            minutes=settings.UNIONHOME_WALK_MINUTES,
            detour=settings.UNIONHOME_WALK_DETOUR_FACTOR,
        )

    @property
    def reach_m(self) -> float:
        """The straight-line radius that takes `minutes` to walk."""
        return self.speed_kmh * 1000 / 60 * self.minutes / self.detour

    def minutes_for(self, straight_m: float) -> float:
        return straight_m * self.detour / (self.speed_kmh * 1000 / 60)


# --- GCJ-02 --------------------------------------------------------------------------------------
def _gcj_applies(lat: float, lng: float) -> bool:
    return _GCJ_LAT[0] <= lat <= _GCJ_LAT[1] and _GCJ_LNG[0] <= lng <= _GCJ_LNG[1]


def _gcj_offset(lat: float, lng: float) -> tuple[float, float]:
    """The GCJ-02 shift (degrees of latitude, longitude) at a WGS-84 point."""
    x, y = lng - 105.0, lat - 35.0
    common = (20 * math.sin(6 * x * math.pi) + 20 * math.sin(2 * x * math.pi)) * 2 / 3
    north = (
        -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
        + common
        + (20 * math.sin(y * math.pi) + 40 * math.sin(y / 3 * math.pi)) * 2 / 3
        + (160 * math.sin(y / 12 * math.pi) + 320 * math.sin(y * math.pi / 30)) * 2 / 3
    )  # fmt: skip
    east = (
        300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
        + common
        + (20 * math.sin(x * math.pi) + 40 * math.sin(x / 3 * math.pi)) * 2 / 3
        + (150 * math.sin(x / 12 * math.pi) + 300 * math.sin(x / 30 * math.pi)) * 2 / 3
    )  # fmt: skip
    rad = math.radians(lat)
    magic = 1 - _KRASOVSKY_EE * math.sin(rad) ** 2
    root = math.sqrt(magic)
    d_lat = north * 180 / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * root) * math.pi)
    d_lng = east * 180 / (_KRASOVSKY_A / root * math.cos(rad) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if not _gcj_applies(lat, lng):
        return lat, lng
    d_lat, d_lng = _gcj_offset(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """Inverse by fixed-point iteration: the shift changes by well under a metre across the
    shift's own length, so each step gains several digits; stop below ~0.01 mm."""
    if not _gcj_applies(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    for _step in range(10):
        d_lat, d_lng = _gcj_offset(w_lat, w_lng)
        n_lat, n_lng = lat - d_lat, lng - d_lng
        done = abs(n_lat - w_lat) < 1e-10 and abs(n_lng - w_lng) < 1e-10
        w_lat, w_lng = n_lat, n_lng
        if done:
            break
    return w_lat, w_lng


def for_tiles(lat: float, lng: float) -> tuple[float, float]:
    """A stored WGS-84 point in the datum of the configured map tiles."""
    if settings.UNIONHOME_MAP_TILES_GCJ02:
        return wgs84_to_gcj02(lat, lng)
    return lat, lng


# --- H3 ------------------------------------------------------------------------------------------
def h3():
    """The h3 module, imported on first use: ≈ 5 MiB a process, and most web requests (and the
    workers serving them) never need a cell."""
    import h3

    return h3


def cell_of(lat: float, lng: float) -> str:
    return h3().latlng_to_cell(lat, lng, H3_RESOLUTION)


@lru_cache(maxsize=65536)
def _ring_spacing_m(cell: str) -> float:
    """Distance between this cell's centre and its nearest neighbour's, measured where we are
    (H3 cells vary in size across the globe)."""
    cells = h3()
    lat, lng = cells.cell_to_latlng(cell)
    return min(
        haversine_m(lat, lng, *cells.cell_to_latlng(other))
        for other in cells.grid_ring(cell, 1)
        if other != cell
    )


def disk_k(cell: str, radius_m: float) -> int:
    """Rings of cells around `cell` that contain every point within `radius_m` of any point of
    `cell`. A cell k rings away has its centre at least k·s·√3/2 away (s: centre spacing; the
    ring is a hexagon), and a point lies within s/√3 of its cell's centre; 10 % spare absorbs
    the cells' distortion."""
    s = _ring_spacing_m(cell)
    reach = radius_m + 2 * s / math.sqrt(3)
    return max(1, math.ceil(1.1 * reach / (s * math.sqrt(3) / 2)))


def search_cells(lat: float, lng: float, radius_m: float) -> list[str]:
    cell = cell_of(lat, lng)
    return list(h3().grid_disk(cell, disk_k(cell, radius_m)))
