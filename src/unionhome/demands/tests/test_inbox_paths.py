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


def test_tiles_from_the_rollups_equal_the_demand_rows_at_any_minute(cast, submit):
    """Open and escalated come from the gauges; overdue from the due buckets before the last
    whole hour plus the rows that fell due since: equal to counting the rows, minute by minute."""
    import datetime as dt
    import random

    import time_machine
    from django.utils import timezone

    rng = random.Random(7)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(minutes=7)
    made = []
    for i in range(12):
        with time_machine.travel(start + dt.timedelta(minutes=13 * i), tick=False):
            made.append(submit(description=f"第{i}位：公司拖欠工资{i}个月。",
                               contact_phone=f"1381234{i:04d}",
                               urgency=rng.choice(["urgent", "high", "normal"])))  # fmt: skip
    # Deadlines scattered around the hours to come, some acknowledged, some escalated.
    for d in made:
        d.refresh_from_db()
        d.ack_deadline = start + dt.timedelta(minutes=rng.randint(-90, 400))
        d.resolve_deadline = d.ack_deadline + dt.timedelta(minutes=rng.randint(0, 300))
        d.escalated = rng.random() < 0.3
        d.save(update_fields=["ack_deadline", "resolve_deadline", "escalated"])
    # Unacknowledged, acknowledge deadline before the hour, resolve deadline inside the hour
    # (counted by the roll-ups already), and one due by its acknowledge deadline inside the hour.
    hour = start.replace(minute=0) + dt.timedelta(hours=3)
    checks = [hour + dt.timedelta(minutes=40)]
    for d, ack, resolve in ((made[3], -50, 20), (made[4], 25, 400)):
        d.ack_deadline = hour + dt.timedelta(minutes=ack)
        d.resolve_deadline = hour + dt.timedelta(minutes=resolve)
        d.save(update_fields=["ack_deadline", "resolve_deadline"])
    services.accept_demand(cast.street_cadre, made[0])
    services.accept_demand(cast.street_cadre, made[1])
    services.accept_demand(cast.street_cadre, made[2])
    services.resolve_demand(cast.street_cadre, made[2], "企业已补发全部工资。")
    users = [cast.district_cadre, cast.street_cadre, cast.other_street_cadre]
    for now in checks + [start + dt.timedelta(minutes=m) for m in range(-120, 720, 17)]:
        for user in users:
            assert services.tile_counts(user, now=now) == services.live_tile_counts(user, now=now)
        assert services.tile_counts(cast.district_cadre, now=now, org=cast.chonganssi) == (
            services.live_tile_counts(cast.district_cadre, now=now, org=cast.chonganssi)
        )
    assert services.live_tile_counts(cast.district_cadre, now=start + dt.timedelta(hours=6))[
        "overdue"] > 0  # fmt: skip


def test_inbox_rows_read_only_what_the_user_may_see(cast, submit):
    mine = submit()
    assert [d.pk for d in services.inbox_rows(cast.street_cadre, [mine.pk])] == [mine.pk]
    assert services.inbox_rows(cast.other_street_cadre, [mine.pk]) == []


@pytest.mark.parametrize("filters", [
    {}, {"status": ""}, {"category": "wages"}, {"status": "", "query": "工资"},
    {"status": "", "query": "拖欠工资"}, {"status": "", "query": "资"},
])  # fmt: skip
def test_inbox_page_shows_what_the_plain_inbox_query_finds(cast, submit, filters):
    for i in range(9):
        submit(description=f"第{i}位：公司拖欠工资{i}个月。" if i % 2 else f"第{i}位：食堂饭菜太贵。",
               contact_phone=f"1381234{i:04d}")  # fmt: skip
    plain = list(services.inbox(cast.district_cadre, **{"status": "open", **filters})
                 .values_list("pk", flat=True))  # fmt: skip
    got = services.inbox_page(cast.district_cadre, per_page=4, **filters)
    assert [d.pk for d in got.page] == plain[:4]
    assert got.page.paginator.count == len(plain) and not got.more_hits
