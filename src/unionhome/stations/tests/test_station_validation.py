"""Creating and changing stations: every kind of bad input gets a clear, field-named error and
leaves nothing behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from unionhome.core.models import AuditEvent
from unionhome.stations import services
from unionhome.stations.models import Station

from .conftest import CENTRE

GOOD = {"kind": "outdoor", "name": "三阳广场户外劳动者服务站", "address": "无锡市梁溪区中山路1号",
        "latitude": CENTRE[0], "longitude": CENTRE[1], "hours": "24小时",
        "amenities": ["热水", "充电", "空调/取暖"], "phone": "0510-82701234"}  # fmt: skip


def create(cast, **changes):
    data = {**GOOD, **changes}
    org = data.pop("org", cast.chonganssi)
    return services.create_station(cast.street_cadre, org=org, **data)


def refused(cast, field, **changes) -> list[str]:
    stations, audits = Station.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        create(cast, **changes)
    assert Station.objects.count() == stations, "nothing may be saved"
    assert AuditEvent.objects.count() == audits
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value.message_dict[field]


def test_a_valid_station_is_saved_with_its_h3_cell_and_amenity_codes(cast):
    station = create(cast)
    assert station.org_path == cast.chonganssi.path
    assert station.amenities == ["hot_water", "charging", "climate"]
    assert station.hours == {"always": True}
    assert len(station.h3_cell) == 15
    assert AuditEvent.objects.filter(action="station.created", target_code=station.code).exists()


def test_latitude_out_of_range_is_refused(cast):
    messages = refused(cast, "latitude", latitude=95.5)
    assert "超出范围" in messages[0]


def test_longitude_out_of_range_is_refused(cast):
    messages = refused(cast, "latitude", longitude=200)
    assert "经度" in messages[0] and "超出范围" in messages[0]


def test_swapped_coordinates_of_a_point_in_china_are_caught(cast):
    messages = refused(cast, "latitude", latitude=CENTRE[1], longitude=CENTRE[0])
    assert "填反" in messages[0]


def test_swapped_coordinates_in_the_far_west_are_caught_by_chinas_box(cast):
    # Kashgar (39.47 N, 75.99 E): swapped, both values are in range but the point is not in China.
    messages = refused(cast, "latitude", latitude=75.99, longitude=39.47)
    assert "填反" in messages[0]


def test_a_point_outside_china_is_refused(cast):
    messages = refused(cast, "latitude", latitude=48.8584, longitude=2.2945)
    assert "不在中国境内" in messages[0]


def test_non_numeric_coordinates_are_refused(cast):
    refused(cast, "latitude", latitude="北纬31度")


def test_missing_coordinates_are_refused(cast):
    refused(cast, "latitude", latitude="")


def test_empty_hours_are_refused(cast):
    messages = refused(cast, "hours", hours="")
    assert "开放时间" in messages[0]


def test_unreadable_hours_are_refused(cast):
    messages = refused(cast, "hours", hours="看心情")
    assert "看心情" in messages[0]


def test_unknown_amenity_is_refused_naming_it(cast):
    messages = refused(cast, "amenities", amenities=["热水", "桑拿"])
    assert "桑拿" in messages[0] and "热水" not in messages[0].split("可选")[0]


def test_a_station_without_an_owning_org_is_refused(cast):
    messages = refused(cast, "org", org=None)
    assert "工会组织" in messages[0]


def test_unknown_kind_and_status_are_refused(cast):
    refused(cast, "kind", kind="spa")
    refused(cast, "status", status="maybe")


def test_bad_phone_is_refused(cast):
    refused(cast, "phone", phone="call me")


def test_several_problems_are_reported_together(cast):
    with pytest.raises(ValidationError) as caught:
        create(cast, name="", latitude=100, hours="", amenities=["桑拿"])
    assert {"name", "latitude", "hours", "amenities"} <= set(caught.value.message_dict)


def test_same_name_twice_in_one_org_is_refused(cast):
    create(cast)
    refused(cast, "name")
    # another union may use the name
    services.create_station(cast.root, org=cast.guangyi, **GOOD)


def test_gcj02_input_is_stored_as_wgs84(cast):
    from unionhome.stations import geo

    gcj = geo.wgs84_to_gcj02(*CENTRE)
    station = create(cast, latitude=gcj[0], longitude=gcj[1], datum="gcj02")
    assert geo.haversine_m(station.latitude, station.longitude, *CENTRE) < 0.05


def test_a_cadre_cannot_create_a_station_outside_their_subtree(cast):
    with pytest.raises(PermissionDenied):
        create(cast, org=cast.guangyi)
    assert not Station.objects.exists()


def test_update_validates_like_create_and_keeps_the_row_on_error(cast):
    station = create(cast)
    with pytest.raises(ValidationError):
        services.update_station(cast.street_cadre, station, latitude=120.3, longitude=31.57)
    station.refresh_from_db()
    assert (station.latitude, station.longitude) == CENTRE
    moved = services.update_station(cast.street_cadre, station, latitude=31.5800)
    assert moved.latitude == 31.58 and moved.h3_cell


def test_the_database_refuses_swapped_coordinates_that_skip_the_services(cast):
    station = Station(org=cast.chonganssi, kind="home", name="x", address="y",
                      latitude=CENTRE[1], longitude=CENTRE[0], hours={"always": True})  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        station.save()
