"""Coverage of a subtree, checked against a hand-computed fixture.

Reach is 4.5 km/h × 15 min ÷ 1.3 = 865.38 m in a straight line. Around C (崇安寺):

    station S1 at C (崇安寺 street, open)        station S3 at A + 300 m north (广益 street, open)
    station S2 at B (suspended: does not count)

    worker            where                 nearest open station   covered?
    W1                500 m north of C      S1, 500 m              yes
    W2                860 m north of C      S1, 860 m              yes
    W3                870 m north of C      S1, 870 m              no  (5 m beyond reach)
    W4, W5, W6        A = 3 km east of C    S3, 300 m              yes (a neighbour's station)
    W7 … W10          B = 3 km south of C   S2 is suspended        no
    W11               latitude 200          —                      skipped

    valid 10, covered 5 → share 50 %; gaps: B's hexagon 4, W3's hexagon 1;
    suggestions: first the site covering B (+4 → 90 %), then one covering W3 (+1 → 100 %).
"""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from unionhome.core import registry
from unionhome.demands.models import Demand
from unionhome.stations import geo
from unionhome.stations.coverage import compute_coverage
from unionhome.stations.sources import demand_points

from .conftest import CENTRE, east, north

A = east(CENTRE, 3000)
B = north(CENTRE, -3000)
W3 = north(CENTRE, 870)
WORKERS = [north(CENTRE, 500), north(CENTRE, 860), W3, A, A, A, B, B, B, B, (200.0, 120.0)]


@pytest.fixture
def fixture(cast, make_station):
    make_station(org=cast.chonganssi, name="S1", point=CENTRE)
    make_station(org=cast.chonganssi, name="S2", point=B, status="suspended")
    make_station(org=cast.guangyi, name="S3", point=north(A, 300))
    saved = dict(registry._location_sources)
    registry._location_sources.clear()
    registry.register_location_source(
        "test", "测试职工",
        lambda path: iter(WORKERS) if cast.chonganssi.path.startswith(path) else iter(()),
    )  # fmt: skip
    yield cast
    registry._location_sources.clear()
    registry._location_sources.update(saved)


def test_share_matches_the_hand_computed_fixture(fixture):
    result = compute_coverage(fixture.chonganssi)
    assert (result.total, result.covered, result.skipped) == (10, 5, 1)
    assert result.share == 0.5
    (source,) = result.sources
    assert (source.total, source.covered, source.skipped) == (10, 5, 1)


def test_gaps_group_uncovered_workers_by_hexagon(fixture):
    result = compute_coverage(fixture.chonganssi)
    assert [(h.cell, h.uncovered) for h in result.hexagons] == [
        (geo.cell_of(*B), 4), (geo.cell_of(*W3), 1),
    ]  # fmt: skip


def test_suggestions_take_the_biggest_uncovered_group_first(fixture):
    result = compute_coverage(fixture.chonganssi)
    assert [(s.rank, s.gain, s.share_after) for s in result.suggestions] == [
        (1, 4, 0.9), (2, 1, 1.0),
    ]  # fmt: skip
    first, second = result.suggestions
    assert geo.haversine_m(first.latitude, first.longitude, *B) <= result.walk.reach_m
    assert geo.haversine_m(second.latitude, second.longitude, *W3) <= result.walk.reach_m


def test_a_wider_walk_covers_w3_too(fixture, settings):
    settings.UNIONHOME_WALK_MINUTES = 16
    result = compute_coverage(fixture.chonganssi)
    assert (result.covered, result.total) == (6, 10)


def test_another_subtree_has_no_workers_here(fixture):
    result = compute_coverage(fixture.guangyi)
    assert (result.total, result.share, result.suggestions) == (0, None, [])


def test_page_shows_the_figures_and_exports_them(client, fixture):
    client.force_login(fixture.street_cadre)
    page = client.get("/stations/coverage/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="coverage-share">50.0%' in html
    assert page.context["result"].suggestions[0].gain == 4
    workbook = load_workbook(io.BytesIO(client.get("/stations/coverage/export/").content))
    assert workbook.sheetnames == ["概况", "未覆盖热点", "建议选址"]
    sites = list(workbook["建议选址"].iter_rows(values_only=True))
    assert [row[5] for row in sites[1:]] == [4, 1]


def test_page_and_api_are_scoped(client, fixture):
    client.force_login(fixture.other_street_cadre)
    assert client.get(f"/stations/coverage/?org={fixture.chonganssi.code}").status_code == 404
    assert (
        client.get("/api/v1/stations/coverage", {"org": fixture.chonganssi.code}).status_code == 404
    )
    client.force_login(fixture.district_cadre)
    body = client.get("/api/v1/stations/coverage", {"org": fixture.chonganssi.code}).json()
    assert (body["total"], body["covered"], body["share"]) == (10, 5, 0.5)
    assert [s["gain"] for s in body["suggestions"]] == [4, 1]


def test_demands_with_coordinates_are_a_location_source(cast):
    now = timezone.now()

    def demand(org, lat=None, lng=None):
        return Demand.objects.create(
            org=org, category="wages", channel="web", description="拖欠工资",
            ack_deadline=now, resolve_deadline=now, latitude=lat, longitude=lng,
        )  # fmt: skip

    demand(cast.hengda, Decimal("31.578200"), Decimal("120.300800"))
    demand(cast.hengda)  # no coordinates: not a location
    demand(cast.ruifeng, Decimal("31.600000"), Decimal("120.330000"))  # another street
    assert list(demand_points(cast.chonganssi.path)) == [(31.5782, 120.3008)]
    assert sorted(demand_points(cast.liangxi.path)) == [(31.5782, 120.3008), (31.6, 120.33)]
    assert "demands" in {s.key for s in registry.location_sources()}
