"""Coordinates: GCJ-02 against reference points, round trips, no shift abroad, walking reach, and
the H3 disk the nearest query reads always holds every station within reach."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionhome.stations import geo

# WGS-84 → GCJ-02 reference pairs (Shanghai, Shenzhen, Beijing), as published with the widely
# used eviltransform test suite.
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_wgs84_to_gcj02_matches_reference_points_to_a_millimetre(wgs, gcj):
    got = geo.wgs84_to_gcj02(*wgs)
    assert geo.haversine_m(*got, *gcj) < 0.001


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_to_wgs84_recovers_reference_points_to_a_millimetre(wgs, gcj):
    got = geo.gcj02_to_wgs84(*gcj)
    assert geo.haversine_m(*got, *wgs) < 0.001


def test_the_shift_in_the_demo_city_is_hundreds_of_metres():
    wgs = (31.5782, 120.3008)
    shift = geo.haversine_m(*wgs, *geo.wgs84_to_gcj02(*wgs))
    assert 300 < shift < 700


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(18.2, 53.5), lng=st.floats(73.6, 134.9))
def test_round_trip_within_china_stays_within_a_centimetre(lat, lng):
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lat, lng))
    assert geo.haversine_m(lat, lng, *back) < 0.01


@pytest.mark.parametrize(
    "point", [(51.5007, -0.1246), (35.6586, 139.7454), (-33.8568, 151.2153), (55.7539, 37.6208)]
)
def test_no_shift_outside_china(point):
    # London, Tokyo, Sydney, Moscow. The conventional rectangle also covers some neighbours
    # (Seoul, Hanoi, Singapore): stations are held inside China's own box, so that never matters.
    assert geo.wgs84_to_gcj02(*point) == point
    assert geo.gcj02_to_wgs84(*point) == point


def test_markers_use_gcj02_only_for_chinese_tiles(settings):
    point = (31.5782, 120.3008)
    settings.UNIONHOME_MAP_TILES_GCJ02 = True
    assert geo.for_tiles(*point) == geo.wgs84_to_gcj02(*point)
    settings.UNIONHOME_MAP_TILES_GCJ02 = False
    assert geo.for_tiles(*point) == point


def test_default_walk_reaches_865_metres_in_a_straight_line():
    walk = geo.Walk(speed_kmh=4.5, minutes=15, detour=1.3)
    assert walk.reach_m == pytest.approx(865.38, abs=0.01)
    assert walk.minutes_for(walk.reach_m) == pytest.approx(15)
    assert walk.minutes_for(600) == pytest.approx(600 * 1.3 / 75)


def test_haversine_one_degree_of_latitude():
    assert geo.haversine_m(30, 120, 31, 120) == pytest.approx(6_371_008.8 * math.pi / 180)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(18.5, 53.0),
    lng=st.floats(74.0, 134.5),
    bearing=st.floats(0, 2 * math.pi),
    fraction=st.floats(0, 1),
    radius=st.sampled_from([300.0, 865.38, 1500.0, 3000.0]),
)
def test_search_disk_holds_every_point_within_reach(lat, lng, bearing, fraction, radius):
    distance = radius * fraction
    d_lat = distance * math.cos(bearing) / 111_195
    d_lng = distance * math.sin(bearing) / (111_195 * math.cos(math.radians(lat)))
    other = (lat + d_lat, lng + d_lng)
    if geo.haversine_m(lat, lng, *other) > radius:
        return
    assert geo.cell_of(*other) in set(geo.search_cells(lat, lng, radius))
