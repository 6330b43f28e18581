import math

import pytest
from django.core.cache import cache

from unionhome.stations import services

# Demo city: 崇安寺, 梁溪区, 无锡 (WGS-84).
CENTRE = (31.5782, 120.3008)
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180  # along a meridian, on geo.EARTH_RADIUS_M


def north(point, metres):
    return (point[0] + metres / METRES_PER_DEGREE, point[1])


def east(point, metres):
    return (point[0], point[1] + metres / (METRES_PER_DEGREE * math.cos(math.radians(point[0]))))


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_station(cast):
    counter = {"n": 0}

    def make(org=None, point=CENTRE, **fields):
        counter["n"] += 1
        data = {"kind": "outdoor", "name": f"测试站点{counter['n']}", "address": "无锡市梁溪区中山路1号",
                "hours": "24小时", "amenities": ["hot_water"]}  # fmt: skip
        data.update(fields)
        return services.create_station(
            cast.root, org=org or cast.chonganssi, latitude=point[0], longitude=point[1], **data
        )

    return make
