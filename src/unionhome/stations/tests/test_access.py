"""Scoping: cadres see and manage the stations of their subtree only, by page and by API; a
station outside it is 404 exactly like a missing one."""

import pytest

from unionhome.api.models import ApiKey
from unionhome.stations.models import Station

from .conftest import CENTRE, north


@pytest.fixture
def two(cast, make_station):
    return {
        "mine": make_station(org=cast.chonganssi, name="崇安寺站"),
        "other": make_station(org=cast.guangyi, name="广益站", point=north(CENTRE, 2000)),
    }


def login(client, user):
    client.force_login(user)
    return client


def test_street_cadre_gets_404_for_other_street_station_page(client, cast, two):
    login(client, cast.street_cadre)
    assert client.get(f"/stations/{two['mine'].code}/").status_code == 200
    assert client.get(f"/stations/{two['other'].code}/").status_code == 404
    assert client.get("/stations/NOPE-NOPE/").status_code == 404
    assert client.get(f"/stations/{two['other'].code}/edit/").status_code == 404


def test_street_cadre_gets_404_for_other_street_station_by_api(client, cast, two):
    login(client, cast.street_cadre)
    assert client.get(f"/api/v1/stations/{two['mine'].code}").status_code == 200
    assert client.get(f"/api/v1/stations/{two['other'].code}").status_code == 404
    response = client.patch(f"/api/v1/stations/{two['other'].code}", {"name": "改名"},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 404


def test_lists_show_only_the_subtree(client, cast, two):
    login(client, cast.street_cadre)
    page = client.get("/stations/")
    assert [s.code for s in page.context["page"]] == [two["mine"].code]
    assert [s["code"] for s in client.get("/api/v1/stations").json()] == [two["mine"].code]
    login(client, cast.district_cadre)
    assert len(client.get("/api/v1/stations").json()) == 2
    login(client, cast.outsider)
    assert client.get("/api/v1/stations").json() == []


def test_a_looking_role_may_read_but_not_change(client, cast, two):
    login(client, cast.mediator)
    assert client.get(f"/stations/{two['mine'].code}/").status_code == 200
    assert client.get(f"/stations/{two['mine'].code}/edit/").status_code == 403
    response = client.patch(f"/api/v1/stations/{two['mine'].code}", {"name": "改名"},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert Station.objects.get(pk=two["mine"].pk).name == "崇安寺站"


def test_anonymous_visitors_get_the_login_page_for_cadre_pages(client, two):
    response = client.get("/stations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/stations").status_code == 401


def test_public_station_page_is_open_to_anyone_but_closed_stations_are_gone(client, two, cast):
    assert client.get(f"/s/{two['other'].code}/").status_code == 200
    Station.objects.filter(pk=two["other"].pk).update(status="closed")
    assert client.get(f"/s/{two['other'].code}/").status_code == 404


def test_api_key_reads_its_subtree_but_cannot_write(client, cast, two):
    _key, secret = ApiKey.issue(name="区平台", org=cast.guangyi, can_read=True)
    headers = {"HTTP_X_API_KEY": secret}
    listed = client.get("/api/v1/stations", **headers).json()
    assert [s["code"] for s in listed] == [two["other"].code]
    assert client.get(f"/api/v1/stations/{two['mine'].code}", **headers).status_code == 404
    response = client.patch(f"/api/v1/stations/{two['other'].code}", {"name": "改名"},
                            content_type="application/json", **headers)  # fmt: skip
    assert response.status_code == 403


def test_cadre_creates_through_the_api_with_field_errors(client, cast):
    login(client, cast.street_cadre)
    payload = {"org": cast.chonganssi.code, "kind": "outdoor", "name": "接口站",
               "address": "中山路", "latitude": CENTRE[1], "longitude": CENTRE[0],
               "hours": "", "amenities": ["桑拿"]}  # fmt: skip
    response = client.post("/api/v1/stations", payload, content_type="application/json")
    assert response.status_code == 422
    assert {"latitude", "hours", "amenities"} <= set(response.json()["errors"])
    payload.update(latitude=CENTRE[0], longitude=CENTRE[1], hours="24小时", amenities=["热水"])
    response = client.post("/api/v1/stations", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["org_code"] == cast.chonganssi.code
    payload["org"] = cast.guangyi.code
    assert client.post("/api/v1/stations", payload,
                       content_type="application/json").status_code == 404  # fmt: skip


def test_cadre_creates_and_edits_through_the_pages(client, cast):
    login(client, cast.street_cadre)
    form = {"org": cast.chonganssi.pk, "kind": "home", "name": "新职工之家", "address": "中山路8号",
            "latitude": "31.5790", "longitude": "120.3010", "datum": "wgs84",
            "hours": "周一至周五 08:30-17:30", "amenities": ["books", "seating"],
            "status": "open"}  # fmt: skip
    bad = client.post("/stations/new/", {**form, "latitude": "120.3010", "longitude": "31.5790"})
    assert bad.status_code == 200 and "填反" in bad.content.decode()
    response = client.post("/stations/new/", form)
    station = Station.objects.get(name="新职工之家")
    assert response.status_code == 302 and response["Location"] == f"/stations/{station.code}/"
    assert station.amenities == ["seating", "books"]
    edit = {**form, "name": "崇安寺职工之家", "hours": "24小时"}
    edit.pop("org")
    assert client.post(f"/stations/{station.code}/edit/", edit).status_code == 302
    station.refresh_from_db()
    assert station.name == "崇安寺职工之家" and station.hours == {"always": True}
    client.post(f"/stations/{station.code}/status/", {"status": "suspended", "status_note": "装修"})
    station.refresh_from_db()
    assert station.status == "suspended" and station.status_note == "装修"


def test_list_page_query_count_does_not_grow_with_stations(client, cast, make_station,
                                                           django_assert_max_num_queries):  # fmt: skip
    login(client, cast.city_cadre)
    for i in range(12):
        make_station(name=f"站{i}", point=north(CENTRE, 100 * i))
    client.get("/stations/")
    with django_assert_max_num_queries(8):
        client.get("/stations/")
