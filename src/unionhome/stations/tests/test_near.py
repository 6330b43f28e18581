"""Near me: open stations within a 15-minute walk, nearest first, filtered by amenity, kind and
"open now"; the same query on the public page and the public API, with no personal data."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from unionhome.stations import geo, services
from unionhome.stations.models import Place

from .conftest import CENTRE, east, north

MONDAY_NOON = dt.datetime(2026, 6, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
MONDAY_NIGHT = dt.datetime(2026, 6, 1, 23, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def around(make_station):
    """Stations at known straight-line distances from CENTRE (reach is 865.4 m)."""
    return {
        "far_in": make_station(name="北边站", point=north(CENTRE, 860), amenities=["热水"]),
        "near": make_station(
            name="东边站", point=east(CENTRE, 200), amenities=["热水", "微波炉", "充电"]
        ),
        "mid": make_station(
            name="南边书屋",
            point=north(CENTRE, -500),
            kind="library",
            hours="周一至周五 08:00-20:00",
            amenities=["图书"],
        ),
        "out": make_station(name="太远站", point=north(CENTRE, 870)),
        "suspended": make_station(name="暂停站", point=east(CENTRE, 100), status="suspended"),
        "closed": make_station(name="关闭站", point=east(CENTRE, 50), status="closed"),
    }


def names(hits):
    return [h.station.name for h in hits]


def test_open_stations_within_reach_nearest_first(around):
    hits = services.nearby_stations(*CENTRE, now=MONDAY_NOON)
    assert names(hits) == ["东边站", "南边书屋", "北边站"]
    assert [round(h.distance_m) for h in hits] == [200, 500, 860]
    assert [round(h.walk_minutes, 1) for h in hits] == [3.5, 8.7, 14.9]


def test_a_slower_walk_reaches_fewer_stations(around):
    slow = geo.Walk(speed_kmh=3.0, minutes=15, detour=1.3)
    assert names(services.nearby_stations(*CENTRE, walk=slow)) == ["东边站", "南边书屋"]


def test_filter_by_amenities_needs_all_of_them(around):
    assert names(services.nearby_stations(*CENTRE, amenities=["hot_water"])) == ["东边站", "北边站"]
    assert names(services.nearby_stations(*CENTRE, amenities=["热水", "微波炉"])) == ["东边站"]
    with pytest.raises(ValidationError):
        services.nearby_stations(*CENTRE, amenities=["桑拿"])


def test_open_now_on_a_frozen_clock(around):
    with time_machine.travel(MONDAY_NOON, tick=False):
        assert "南边书屋" in names(services.nearby_stations(*CENTRE, open_now=True))
    with time_machine.travel(MONDAY_NIGHT, tick=False):
        hits = services.nearby_stations(*CENTRE, open_now=True)
        assert names(hits) == ["东边站", "北边站"]
        everything = services.nearby_stations(*CENTRE)
        assert {h.station.name: h.open_now for h in everything}["南边书屋"] is False


def test_filter_by_kind(around):
    assert names(services.nearby_stations(*CENTRE, kind="library")) == ["南边书屋"]


def test_a_point_outside_china_is_refused_not_searched(around):
    with pytest.raises(ValidationError):
        services.nearby_stations(48.85, 2.29)


def test_typed_place_from_the_gazetteer(around, db):
    Place.objects.create(name="崇安寺街道", aliases="崇安寺、三阳", latitude=CENTRE[0],
                         longitude=CENTRE[1])  # fmt: skip
    assert services.locate("崇安寺").label == "崇安寺街道"
    assert services.locate("无锡市梁溪区崇安寺街道中山路88号").label == "崇安寺街道"
    assert services.locate("31.5782, 120.3008").latitude == pytest.approx(31.5782)


def test_typed_district_falls_back_to_its_centroid(db):
    located = services.locate("梁溪区")
    assert geo.haversine_m(located.latitude, located.longitude, 31.566, 120.298) < 2000


def test_unknown_place_says_what_to_type(db):
    with pytest.raises(ValidationError) as caught:
        services.locate("火星基地")
    assert "火星基地" in caught.value.message_dict["q"][0]


def test_public_page_lists_stations_for_a_location(client, around):
    with time_machine.travel(MONDAY_NOON, tick=False):
        page = client.get("/s/", {"lat": CENTRE[0], "lng": CENTRE[1]})
    assert page.status_code == 200
    html = page.content.decode()
    order = [html.index(n) for n in ("东边站", "南边书屋", "北边站")]
    assert order == sorted(order)
    assert "太远站" not in html and "暂停站" not in html and "关闭站" not in html
    assert page.context["results"][0].walk_minutes_display == 3


def test_public_page_filters_by_typed_place_and_amenity(client, around):
    Place.objects.create(name="崇安寺", latitude=CENTRE[0], longitude=CENTRE[1])
    page = client.get("/s/", {"q": "崇安寺", "amenity": ["microwave"]})
    assert [h.station.name for h in page.context["results"]] == ["东边站"]


def test_public_page_without_tiles_has_no_map_but_a_list(client, around, settings):
    settings.UNIONHOME_MAP_TILE_URL = ""
    html = client.get("/s/", {"lat": CENTRE[0], "lng": CENTRE[1]}).content.decode()
    assert 'id="station-map"' not in html and "leaflet.js" not in html
    assert 'id="station-list"' in html


def test_public_page_shows_an_error_for_swapped_coordinates(client, db):
    page = client.get("/s/", {"lat": CENTRE[1], "lng": CENTRE[0]})
    assert page.status_code == 200
    assert "填反" in page.content.decode()
    assert page.context["results"] is None


def test_api_answers_the_same_query_without_login(client, around):
    with time_machine.travel(MONDAY_NIGHT, tick=False):
        response = client.get(
            "/api/v1/stations/near",
            {"lat": CENTRE[0], "lng": CENTRE[1], "amenity": "hot_water", "open_now": "true"},
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["name"] for s in body["stations"]] == ["东边站", "北边站"]
    first = body["stations"][0]
    assert first["distance_m"] == 200 and first["walk_minutes"] == 3.5 and first["open_now"]
    assert body["walk"] == {"speed_kmh": 4.5, "minutes": 15, "detour_factor": 1.3, "reach_m": 865}
    gcj = geo.wgs84_to_gcj02(first["latitude"], first["longitude"])
    assert (first["gcj02_latitude"], first["gcj02_longitude"]) == pytest.approx(gcj, abs=1e-6)
    # Stations are public places: no owner org internals, no people.
    assert set(first) == {"code", "name", "kind", "kind_label", "address", "latitude",
                          "longitude", "gcj02_latitude", "gcj02_longitude", "hours",
                          "amenities", "phone", "status", "distance_m", "walk_minutes",
                          "open_now"}  # fmt: skip


def test_api_refuses_bad_points_and_missing_input(client, db):
    assert client.get("/api/v1/stations/near", {"lat": 95, "lng": 120}).status_code == 422
    assert client.get("/api/v1/stations/near").status_code == 422


def test_near_query_reads_one_query(around, django_assert_num_queries):
    with django_assert_num_queries(1):
        services.nearby_stations(*CENTRE)
