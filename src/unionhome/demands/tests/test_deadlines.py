"""Deadlines are data: computed from policies and the official calendar; overdue from the clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from unionhome.core.models import CalendarAdjustment
from unionhome.core.workdays import add_working_days, is_working_day
from unionhome.demands import deadlines, services
from unionhome.demands.models import DeadlinePolicy, Demand

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_a_deadline_crossing_a_weekend_skips_it(db):
    # Thursday 2026-11-26 + 2 working days = Friday 27, then Monday 30 (28/29 are the weekend)
    assert add_working_days(at("2026-11-26 10:00"), 2) == at("2026-11-30 23:59:59")


def test_national_day_holiday_and_its_make_up_saturday(db):
    # 2026: 1–7 October are off; Saturday 10 October is a make-up working day (调休).
    assert not is_working_day(dt.date(2026, 10, 1))
    assert is_working_day(dt.date(2026, 10, 10))
    # From Tuesday 29 Sept: 30 Sept is the 1st working day; 1–7 Oct are off; 8 and 9 Oct are the
    # 2nd and 3rd; Saturday 10 Oct, a make-up day, is the 4th.
    assert add_working_days(at("2026-09-29 09:00"), 3) == at("2026-10-09 23:59:59")
    assert add_working_days(at("2026-09-29 09:00"), 4) == at("2026-10-10 23:59:59")


def test_an_admin_adjustment_overrides_the_package(db):
    CalendarAdjustment.objects.create(
        date=dt.date(2026, 11, 30), is_working_day=False, note="本地停工"
    )
    assert add_working_days(at("2026-11-26 10:00"), 2) == at("2026-12-01 23:59:59")


def test_default_policies_give_the_documented_clocks(db):
    start = at("2026-11-26 10:00")
    urgent = deadlines.compute(start, "wages", "urgent", "general")
    assert urgent.acknowledge == start + dt.timedelta(hours=24)
    assert urgent.resolve == start + dt.timedelta(days=3)
    general = deadlines.compute(start, "wages", "normal", "general")
    assert general.acknowledge == at("2026-11-30 23:59:59")  # 2 working days
    # 15 working days from Thu 26 Nov: 27, 30, 1–4, 7–11 Dec, 14–17 Dec → Thu 17 Dec
    assert general.resolve == at("2026-12-17 23:59:59")
    difficult = deadlines.compute(start, "wages", "normal", "difficult")
    assert difficult.resolve > general.resolve


def test_the_most_specific_policy_wins(db):
    DeadlinePolicy.objects.create(category="safety_injury", urgency="", complexity="",
                                  ack_hours=4, resolve_days=2)  # fmt: skip
    start = at("2026-11-26 10:00")
    assert deadlines.compute(
        start, "safety_injury", "normal", "general"
    ).acknowledge == start + dt.timedelta(hours=4)
    assert deadlines.compute(
        start, "wages", "normal", "general"
    ).acknowledge != start + dt.timedelta(hours=4)


def test_overdue_is_computed_from_the_deadline_not_from_a_job(cast, submit):
    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        demand = submit()
        assert not Demand.objects.overdue().filter(pk=demand.pk).exists()
    with time_machine.travel(at("2026-12-01 00:00"), tick=False):
        # past the acknowledge deadline (end of Mon 30 Nov), no sweep has run
        assert Demand.objects.overdue().filter(pk=demand.pk).exists()
        demand.refresh_from_db()
        assert demand.is_overdue()
        services.accept_demand(cast.street_cadre, demand)
        assert not Demand.objects.overdue().filter(pk=demand.pk).exists()
    with time_machine.travel(at("2026-12-18 00:00"), tick=False):
        assert Demand.objects.overdue().filter(pk=demand.pk).exists()


def test_sweep_escalates_overdue_once_and_is_idempotent(cast, submit):
    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        demand = submit()
    with time_machine.travel(at("2026-12-01 08:00"), tick=False):
        first = services.sweep()
        second = services.sweep()
    demand.refresh_from_db()
    assert first.escalated == 1 and second.escalated == 0
    assert demand.escalated and demand.org == cast.chonganssi
    assert demand.events.filter(kind="escalated").count() == 1
    assert services.tile_counts(cast.district_cadre, now=at("2026-12-01 08:00")) == {
        "open": 1, "overdue": 1, "escalated": 1,
    }  # fmt: skip


def test_without_stored_policies_the_built_in_defaults_apply(db):
    DeadlinePolicy.objects.all().delete()
    start = at("2026-11-26 10:00")
    assert deadlines.compute(start, "wages", "urgent", "general").resolve == start + dt.timedelta(
        days=3
    )
    assert deadlines.compute(start, "wages", "normal", "general").resolve == at(
        "2026-12-17 23:59:59"
    )


def test_shipped_calendar_equals_the_holidays_package_every_day():
    """Upgrade `holidays` without `manage.py export_calendar` and this fails."""
    import datetime as dt

    from unionhome.core import workdays

    day = dt.date(workdays.CALENDAR_YEARS.start, 1, 1)
    end = dt.date(workdays.CALENDAR_YEARS.stop, 1, 1)
    differ = []
    while day < end:
        if workdays._official_working_day(day) != workdays._calendar(day.year).is_working_day(day):
            differ.append(day)
        day += dt.timedelta(days=1)
    assert differ == []


def test_years_outside_the_shipped_calendar_ask_the_holidays_package():
    import datetime as dt

    from unionhome.core import workdays

    assert workdays._official_working_day(dt.date(2040, 10, 1)) is False  # National Day
    assert workdays._official_working_day(dt.date(2040, 10, 9)) is True
