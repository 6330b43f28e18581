"""Usage: a worker's tap, a head count by staff, the member-card hook, and ratings, shown to
the station's own union."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from unionhome.core import registry
from unionhome.stations import services
from unionhome.stations.models import CheckIn, StationRating


@pytest.fixture
def station(make_station):
    return make_station(name="三阳广场站")


@pytest.fixture
def no_card_resolver():
    saved = list(registry._card_resolver)
    registry._card_resolver.clear()
    yield
    registry._card_resolver[:] = saved


def test_a_worker_tap_counts_once_per_half_hour_per_address(station):
    assert services.check_in(station, throttle_key="10.0.0.1") is not None
    assert services.check_in(station, throttle_key="10.0.0.1") is None
    assert services.check_in(station, throttle_key="10.0.0.2") is not None
    assert services.station_usage(station).visits == 2


def test_staff_enter_a_head_count(station, cast):
    services.check_in(station, count=25, actor=cast.street_cadre)
    services.check_in(station, count=5, actor=cast.street_cadre)
    usage = services.station_usage(station)
    assert usage.visits == 30 and len(usage.per_day) == 1 and usage.per_day[0][1] == 30


def test_head_count_needs_a_role_on_the_station_and_a_sane_number(station, cast):
    with pytest.raises(PermissionDenied):
        services.check_in(station, count=5, actor=cast.other_street_cadre)
    with pytest.raises(ValidationError):
        services.check_in(station, count=0, actor=cast.street_cadre)
    assert not CheckIn.objects.exists()


def test_card_check_in_is_refused_until_member_cards_exist(station, no_card_resolver):
    with pytest.raises(ValidationError) as caught:
        services.check_in(station, card_token="QR-TOKEN")
    assert caught.value.code == "cards_unavailable"


def test_card_check_in_stores_the_resolvers_opaque_reference(station, no_card_resolver):
    registry.register_card_resolver(lambda token: "M-7KQ2" if token == "GOOD" else None)
    entry = services.check_in(station, card_token="GOOD")
    assert (entry.method, entry.member_ref, entry.count) == ("card", "M-7KQ2", 1)
    assert services.check_in(station, card_token="GOOD") is None  # same card, same half hour
    with pytest.raises(ValidationError):
        services.check_in(station, card_token="REVOKED")
    assert services.station_usage(station).card_visits == 1


def test_no_check_in_at_a_suspended_station(station, cast):
    station = services.set_station_status(cast.street_cadre, station, "suspended")
    with pytest.raises(ValidationError):
        services.check_in(station, throttle_key="x")


def test_ratings_are_anonymous_one_a_day_and_one_to_five(station):
    services.rate_station(station, rating=5, comment="热水很方便", throttle_key="a")
    with pytest.raises(ValidationError):
        services.rate_station(station, rating=4, throttle_key="a")
    with pytest.raises(ValidationError):
        services.rate_station(station, rating=6, throttle_key="b")
    services.rate_station(station, rating=3, throttle_key="c")
    usage = services.station_usage(station)
    assert (usage.rating_avg, usage.rating_count) == (4.0, 2)


def test_public_page_check_in_and_rating(client, station):
    response = client.post(f"/s/{station.code}/", {"check_in": "1"})
    assert response.status_code == 302
    client.post(f"/s/{station.code}/", {"rating": "4", "comment": "座椅不够"})
    assert StationRating.objects.get().comment == "座椅不够"
    assert CheckIn.objects.get().count == 1
    page = client.get(f"/s/{station.code}/").content.decode()
    assert "座椅不够" not in page  # comments go to the union, not the public


def test_owning_org_sees_usage_and_comments(client, cast, station):
    services.check_in(station, count=12, actor=cast.street_cadre)
    services.rate_station(station, rating=2, comment="晚上没人开门", throttle_key="z")
    client.force_login(cast.street_cadre)
    page = client.get(f"/stations/{station.code}/")
    assert page.context["usage"].visits == 12
    assert "晚上没人开门" in page.content.decode()


def test_api_check_in_and_rating_without_login(client, station, no_card_resolver):
    response = client.post(f"/api/v1/stations/{station.code}/checkins", {},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201 and response.json() == {"counted": True}
    response = client.post(f"/api/v1/stations/{station.code}/checkins", {"card_token": "X"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    response = client.post(f"/api/v1/stations/{station.code}/ratings", {"rating": 5},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201
