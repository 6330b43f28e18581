"""Open311 GeoReport v2: an existing client (georeport, over real HTTP) for what it supports,
raw HTTP per the spec for the rest (POST, tokens, errors)."""

import pytest
import requests
from georeport import GeoReport

from unionhome.api.models import ApiKey
from unionhome.demands.models import Demand
from unionhome.testing.personas import build_cast

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "梁溪区广益街道一家快递网点拖欠分拣工三个月工资，老板失联，请工会帮忙。"


@pytest.fixture
def world(live_server):
    cast = build_cast()
    _key, submit_key = ApiKey.issue(name="311平台", org=cast.wuxi)
    _key, read_key = ApiKey.issue(name="311平台读", org=cast.liangxi, can_read=True)
    root = f"{live_server.url}/open311/v2"
    return cast, root, submit_key, read_key


def post(root, key, **fields):
    data = {"api_key": key, "service_code": "wages", "description": BODY,
            "address_string": "江苏省无锡市梁溪区广益街道", "lat": "31.5800", "long": "120.3000"}  # fmt: skip
    data.update(fields)
    return requests.post(f"{root}/requests.json", data=data, timeout=10)


def test_existing_client_lists_and_describes_services(world):
    _cast, root, _submit, _read = world
    client = GeoReport(root)
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"wages", "social_insurance", "new_employment"}
    wages = next(s for s in services if s["service_code"] == "wages")
    assert wages["service_name"] == "工资报酬" and wages["metadata"] is False
    assert client.get_service_definition("wages") == {"service_code": "wages", "attributes": []}


def test_post_creates_a_demand_through_the_same_service_and_the_client_follows_it(world, settings):
    settings.UNIONHOME_HOME_CITY = "无锡市"
    cast, root, submit_key, read_key = world
    response = post(root, submit_key, phone="13812345678", first_name="师傅", last_name="王")
    assert response.status_code == 201, response.text
    receipt = response.json()[0]
    tracking = receipt["service_request_id"]
    demand = Demand.objects.get(tracking_code=tracking)
    assert demand.channel == "open311" and demand.org == cast.guangyi
    assert not demand.anonymous and demand.contact_phone == "13812345678"
    assert str(demand.latitude) == "31.580000"

    client = GeoReport(root)
    one = client.get_service_request(tracking)
    assert one["status"] == "open" and one["agency_responsible"] == cast.guangyi.name
    assert one["service_code"] == "wages" and one["lat"] == pytest.approx(31.58)
    assert "待受理" in one["status_notes"]
    listed = GeoReport(root, api_key=read_key).get_service_requests(service_request_id=tracking)
    assert [r["service_request_id"] for r in listed] == [tracking]


def test_status_maps_to_open_and_closed(world):
    cast, root, submit_key, _read = world
    from unionhome.demands import services

    tracking = post(root, submit_key).json()[0]["service_request_id"]
    demand = Demand.objects.get(tracking_code=tracking)
    services.accept_demand(cast.root, demand)
    services.resolve_demand(cast.root, demand, "已督促网点补发工资。")
    one = requests.get(f"{root}/requests/{tracking}.json", timeout=10).json()[0]
    assert one["status"] == "closed"
    assert "已督促网点补发工资" in one["status_notes"]


def test_listing_needs_a_reading_key_and_is_scoped(world):
    cast, root, submit_key, read_key = world
    post(root, submit_key)
    refused = requests.get(f"{root}/requests.json", timeout=10)
    assert refused.status_code == 403
    assert refused.json()[0]["code"] == 403
    mine = requests.get(
        f"{root}/requests.json", params={"api_key": read_key, "status": "open"}, timeout=10
    )
    assert len(mine.json()) == 1
    _k, nanjing_key = ApiKey.issue(name="南京", org=cast.nanjing, can_read=True)
    theirs = requests.get(f"{root}/requests.json", params={"api_key": nanjing_key}, timeout=10)
    assert theirs.json() == []


def test_spec_errors(world):
    _cast, root, submit_key, read_key = world
    no_key = requests.post(
        f"{root}/requests.json", data={"service_code": "wages", "description": BODY}, timeout=10
    )
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    bad_code = post(root, submit_key, service_code="potholes")
    assert bad_code.status_code == 400 and "service_code" in bad_code.json()[0]["description"]
    empty = post(root, submit_key, description="")
    assert empty.status_code == 400 and "description" in empty.json()[0]["description"]
    bad_phone = post(root, submit_key, phone="123")
    assert bad_phone.status_code == 400
    assert requests.get(f"{root}/requests/NOPE-NOPE-NOPE.json", timeout=10).status_code == 404
    assert requests.get(f"{root}/services/potholes.json", timeout=10).status_code == 404
    wide = requests.get(f"{root}/requests.json", params={"api_key": read_key, "start_date": "2026-01-01T00:00:00Z",
                                                         "end_date": "2026-06-30T00:00:00Z"}, timeout=10)  # fmt: skip
    assert wide.status_code == 400
    assert not Demand.objects.exists()


def test_tokens_resolve_to_request_ids(world):
    _cast, root, submit_key, _read = world
    tracking = post(root, submit_key).json()[0]["service_request_id"]
    token = requests.get(f"{root}/tokens/{tracking}.json", timeout=10).json()[0]
    assert token["service_request_id"] == tracking
