"""The inbox's fast paths give the same demands as the plain queries they replace."""

import pytest

from unionhome.demands import services
from unionhome.demands.models import Demand

pytestmark = pytest.mark.django_db


def _plain_page(user, org=None, offset=0, limit=25):
    qs = services.inbox(user, status="open", org=org).values_list("pk", flat=True)
    return list(qs[offset : offset + limit])


def test_queue_walk_equals_the_plain_inbox_query(cast, submit):
    for i in range(7):
        submit(description=f"第{i}位：公司拖欠工资。", contact_phone=f"1381234{i:04d}",
               urgency="urgent" if i % 3 == 0 else "normal")  # fmt: skip
    submit(description="梁溪区广益街道某饭店老板不交社保。", employer_name="", region_code="320213",
           address="广益街道", anonymous=True)  # fmt: skip
    for user in (cast.district_cadre, cast.street_cadre, cast.other_street_cadre,
                 cast.enterprise_cadre):  # fmt: skip
        assert services.open_queue_ids(user) == _plain_page(user), user
        assert services.open_queue_ids(user, offset=2, limit=3) == _plain_page(user, None, 2, 3)
    assert services.open_queue_ids(cast.district_cadre, org=cast.hengda) == _plain_page(
        cast.district_cadre, cast.hengda
    )


def test_queue_walk_gives_up_on_a_narrow_scope(cast, submit, monkeypatch):
    monkeypatch.setattr(services, "QUEUE_WALK_ROWS", 1000)
    for i in range(3):
        submit(description=f"第{i}位：公司拖欠工资。", contact_phone=f"1381234{i:04d}")
    # Fewer open demands than one batch: the walk saw them all and answers.
    assert services.open_queue_ids(cast.other_street_cadre, scan=1000) == []
    # A scan too short to reach the page: the caller falls back to the plain query.
    assert services.open_queue_ids(cast.district_cadre, offset=5, limit=25, scan=0) is None


def test_open_filter_is_written_into_the_sql_for_sqlite_partial_indexes():
    sql = str(Demand.objects.open().query)
    assert "IN ('submitted', 'accepted', 'in_progress')" in sql


def test_in_literal_refuses_anything_but_codes():
    with pytest.raises(ValueError, match="constant codes"):
        list(Demand.objects.filter(status__in_literal=["x'); DROP TABLE y; --"]))
