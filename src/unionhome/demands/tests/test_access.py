"""A cadre cannot read, act on, or learn of a demand outside their subtree — by page or API."""

import json

import pytest

from unionhome.api.models import ApiKey
from unionhome.core.models import AuditEvent
from unionhome.demands import services
from unionhome.demands.models import Demand


@pytest.fixture
def demand(submit):
    return submit()


def test_street_cadre_gets_404_for_other_street_demand(client, cast, demand):
    client.force_login(cast.other_street_cadre)
    assert client.get(f"/demands/{demand.code}/").status_code == 404
    assert client.post(f"/demands/{demand.code}/accept/", {"version": 1}).status_code == 404
    assert client.get(f"/api/v1/demands/{demand.code}").status_code == 404
    assert demand.code not in client.get("/demands/").content.decode()
    assert client.get("/demands/NOPE-NOPE/").status_code == 404


def test_higher_levels_see_the_subtree(client, cast, demand):
    for user in (cast.street_cadre, cast.district_cadre, cast.city_cadre, cast.province_leader):
        client.force_login(user)
        assert client.get(f"/demands/{demand.code}/").status_code == 200, user
    client.force_login(cast.outsider)
    assert client.get(f"/demands/{demand.code}/").status_code == 404


def test_read_only_role_cannot_act(client, cast, demand):
    client.force_login(cast.mediator)
    assert client.get(f"/demands/{demand.code}/").status_code == 200
    assert (
        client.post(f"/demands/{demand.code}/accept/", {"version": demand.version}).status_code
        == 403
    )


def test_services_refuse_an_actor_outside_the_subtree(cast, demand):
    from django.http import Http404

    with pytest.raises(Http404):
        services.accept_demand(cast.other_street_cadre, demand)


def test_revealing_the_phone_is_audited(client, cast, demand):
    client.force_login(cast.street_cadre)
    assert "138****5678" in client.get(f"/demands/{demand.code}/").content.decode()
    client.post(f"/demands/{demand.code}/reveal/")
    html = client.get(f"/demands/{demand.code}/").content.decode()
    assert "13812345678" in html
    assert AuditEvent.objects.filter(action="demand.reveal_contact", actor=cast.street_cadre,
                                     target_code=demand.code).exists()  # fmt: skip
    assert "13812345678" not in client.get(f"/demands/{demand.code}/").content.decode()


def test_api_key_scoped_to_a_subtree(client, cast, demand, submit):
    _key, secret = ApiKey.issue(name="梁溪12351", org=cast.liangxi, can_read=True)
    headers = {"HTTP_X_API_KEY": secret}
    listed = client.get("/api/v1/demands", **headers).json()
    assert [d["code"] for d in listed] == [demand.code]
    assert listed[0]["contact_phone"] == "138****5678"
    _key2, other = ApiKey.issue(name="南京", org=cast.nanjing, can_read=True)
    assert client.get("/api/v1/demands", HTTP_X_API_KEY=other).json() == []
    assert client.get(f"/api/v1/demands/{demand.code}", HTTP_X_API_KEY=other).status_code == 404
    assert client.get("/api/v1/demands", HTTP_X_API_KEY="uh_bad_key").status_code == 401


def test_api_submit_with_a_key_and_track_publicly(client, cast):
    _key, secret = ApiKey.issue(name="小程序", org=cast.wuxi)
    response = client.post(
        "/api/v1/demands",
        json.dumps({"description": "梁溪区广益街道一家饭店老板拖欠服务员三个月工资。", "anonymous": True,
                    "region_code": "320213", "address": "广益街道"}),
        content_type="application/json", HTTP_X_API_KEY=secret,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["agency_responsible"] == cast.guangyi.name
    demand = Demand.objects.get(code=receipt["code"])
    assert demand.channel == "api" and demand.anonymous
    public = client.get(f"/api/v1/demands/track/{receipt['tracking_code']}").json()
    assert public["status"] == "submitted" and public["events"][0]["kind"] == "submitted"
    # a submit-only key cannot read the subtree
    assert client.get("/api/v1/demands", HTTP_X_API_KEY=secret).json() == []


def test_api_refuses_bad_input_with_field_errors(client, cast):
    _key, secret = ApiKey.issue(name="小程序", org=cast.wuxi)
    response = client.post("/api/v1/demands", json.dumps({"description": "", "contact_phone": "12"}),
                           content_type="application/json", HTTP_X_API_KEY=secret)  # fmt: skip
    assert response.status_code == 422
    assert {"description", "contact_phone"} <= set(response.json()["errors"])
    assert not Demand.objects.exists()
