"""Rate counters in the database and per-process configuration memos."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, router

from unionhome.core import memo, throttle
from unionhome.core.models import CalendarAdjustment, RateCounter

pytestmark = pytest.mark.django_db

HOUR = 3600 * 500_000  # any fixed hour


def test_counts_per_key_and_hour_in_one_statement(django_assert_num_queries):
    throttle._swept_hour = HOUR // 3600  # this hour already swept
    queue = connections[router.db_for_write(RateCounter)]  # on SQLite, the queue's own file
    with django_assert_num_queries(1, connection=queue):
        assert throttle.count_attempts("t", ["a", "b"], now=HOUR) == [1, 1]
    assert throttle.count_attempts("t", ["a", "b", "a"], now=HOUR + 10) == [2, 2, 2]
    assert throttle.count_attempts("t", ["a"], now=HOUR + 3600) == [1]  # a new hour
    assert throttle.count_attempts("other", ["a"], now=HOUR) == [1]  # scopes are separate


def test_no_raw_key_is_stored():
    throttle.count_attempts("intake", ["phone:13800138000"], now=HOUR)
    (key,) = RateCounter.objects.values_list("key", flat=True)
    assert "13800138000" not in key and key.startswith("intake:")


def test_limit_refuses_past_the_hourly_count_on_any_key():
    for _ in range(3):
        throttle.limit("t", "ip:1", "phone:2", per_hour=3, message="太频繁")
    with pytest.raises(ValidationError, match="太频繁"):
        throttle.limit("t", "ip:9", "phone:2", per_hour=3, message="太频繁")


def test_hours_before_the_last_are_deleted_once_an_hour():
    throttle._swept_hour = None
    throttle.count_attempts("t", ["a"], now=HOUR)
    throttle.count_attempts("t", ["a"], now=HOUR + 3600)
    assert RateCounter.objects.count() == 2  # the previous hour is kept
    throttle.count_attempts("t", ["a"], now=HOUR + 3 * 3600)
    assert list(RateCounter.objects.values_list("count", flat=True)) == [1]


def test_a_saved_configuration_row_is_seen_at_once_by_this_process():
    import datetime as dt

    from unionhome.core import workdays

    day = dt.date(2031, 5, 6)
    assert day not in workdays._adjustments(day, day)
    CalendarAdjustment.objects.create(date=day, is_working_day=False, note="调休")
    assert workdays._adjustments(day, day) == {day: False}


def test_a_memo_reloads_after_its_time_to_live(monkeypatch):
    loads = []
    m = memo.ProcessMemo(lambda: loads.append(1) or len(loads), models=(), ttl=60)
    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    assert m.get() == 1 and m.get() == 1
    clock[0] += 61
    assert m.get() == 2
    memo.clear_all()
    assert m.get() == 3
