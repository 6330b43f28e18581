"""Working days on the official Chinese calendar, with its 调休 make-up days.

The `holidays` package knows published schedules (and guesses years the State Council has not
published yet); `CalendarAdjustment` rows that an admin keeps override it date by date.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=8)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=[year])


def _adjustments(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from .models import CalendarAdjustment  # models load after this module

    return dict(
        CalendarAdjustment.objects.filter(date__range=(start, end)).values_list(
            "date", "is_working_day"
        )
    )


def is_working_day(day: dt.date, adjustments: dict[dt.date, bool] | None = None) -> bool:
    if adjustments is None:
        adjustments = _adjustments(day, day)
    if day in adjustments:
        return adjustments[day]
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after the day of `start`.

    "Within 15 working days" counts from the next day, as administrative deadlines do.
    """
    local = timezone.localtime(start)
    # One query for every adjustment the count could cross (weeks of holidays at most).
    adjustments = _adjustments(local.date(), local.date() + dt.timedelta(days=days * 3 + 30))
    day = local.date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, adjustments):
            remaining -= 1
    end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=local.tzinfo)
    return end_of_day
