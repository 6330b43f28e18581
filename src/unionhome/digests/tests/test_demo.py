"""The demo province: last month's digest shows the wage-arrears burst on top; seeding twice
adds nothing; the backfilled scan raises the burst once."""

import time

import pytest
from django.contrib.auth import get_user_model

from unionhome.demands.models import Demand
from unionhome.digests import alerts, services
from unionhome.digests.demo import burst_employer, seed_demo_digest_data
from unionhome.orgs.demo import seed_demo
from unionhome.orgs.models import Org


@pytest.fixture
def demo(db):
    started = time.monotonic()
    builder, _logins = seed_demo()
    print(f"seed_demo: {time.monotonic() - started:.1f} s; {builder.summaries}")
    return builder


def test_demo_digest_of_last_month_has_the_wage_arrears_burst_on_top(demo):
    city_cadre = get_user_model().objects.get(username="city_cadre")
    wuxi = services.digest_orgs(city_cadre).get(name="无锡市总工会")
    start, end = services.last_month()
    started = time.monotonic()
    digest, job = services.create_digest(city_cadre, org=wuxi, period_start=start, period_end=end)
    print(f"build: {time.monotonic() - started:.1f} s, {digest.demand_count} demands")
    assert job is None
    top = digest.clusters.get(rank=1)
    assert top.categories[0]["code"] == "wages" and top.size >= 8
    named = {"street:崇安寺街道": Org.objects.get(name="梁溪区崇安寺街道总工会"),
             "wuxi": Org.objects.get(name="无锡市总工会")}  # fmt: skip
    assert top.employers[0]["name"] == burst_employer(named).employer_name
    text = " ".join([top.title, top.representative_text, *top.keywords])
    assert "13812345678" not in text and "王建国" not in text

    # Seeding again adds nothing; the backfilled scan raises the burst once, to the county.
    count = Demand.objects.count()
    assert seed_demo_digest_data(named) == "digests: already present"
    assert Demand.objects.count() == count
    result = alerts.backfill(62)
    bursts = [a for a in result.raised if a.kind == "employer_burst"]
    assert len(bursts) == 1
    bursts[0].refresh_from_db()  # raised on the first day it qualified, then grew
    assert bursts[0].count == 12 and bursts[0].org.level == "county"
    assert alerts.backfill(62).raised == []
