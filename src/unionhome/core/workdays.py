"""Working days on the official Chinese calendar, with its 调休 make-up days.

The `holidays` package knows published schedules (and guesses years the State Council has not
published yet); `CalendarAdjustment` rows that an admin keeps override it date by date.

Web workers do not import `holidays` (its Chinese calendar costs ~8 MB a process): the days
where it departs from "Monday to Friday" for CALENDAR_YEARS are exported to
``data/cn_calendar.json`` (``manage.py export_calendar``; a test compares every day with the
package). Other years ask the package itself.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache, lru_cache
from pathlib import Path

from django.utils import timezone

from .memo import ProcessMemo

CALENDAR_PATH = Path(__file__).resolve().parent / "data" / "cn_calendar.json"
CALENDAR_YEARS = range(2020, 2036)


@lru_cache(maxsize=8)
def _calendar(year: int):
    import holidays

    return holidays.country_holidays("CN", years=[year])


def _package_exceptions(year: int) -> tuple[list[str], list[str]]:
    """(weekdays off, weekend days worked) in `year`, from the `holidays` package."""
    calendar = _calendar(year)
    day, off, worked = dt.date(year, 1, 1), [], []
    while day.year == year:
        weekend = day.weekday() >= 5
        if calendar.is_working_day(day) == weekend:
            (worked if weekend else off).append(day.isoformat())
        day += dt.timedelta(days=1)
    return off, worked


def export_calendar(path: Path = CALENDAR_PATH) -> dict:
    data = {"source": "holidays (python package), country CN", "years": {}}
    for year in CALENDAR_YEARS:
        off, worked = _package_exceptions(year)
        data["years"][str(year)] = {"weekdays_off": off, "weekends_worked": worked}
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data


@cache
def _shipped() -> dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]]:
    data = json.loads(CALENDAR_PATH.read_text(encoding="utf-8"))
    return {
        int(year): (frozenset(map(dt.date.fromisoformat, days["weekdays_off"])),
                    frozenset(map(dt.date.fromisoformat, days["weekends_worked"])))
        for year, days in data["years"].items()
    }  # fmt: skip


def _official_working_day(day: dt.date) -> bool:
    shipped = _shipped().get(day.year)
    if shipped is None:
        return _calendar(day.year).is_working_day(day)
    off, worked = shipped
    return day in worked if day.weekday() >= 5 else day not in off


def _all_adjustments() -> dict[dt.date, bool]:
    from .models import CalendarAdjustment  # models load after this module

    return dict(CalendarAdjustment.objects.values_list("date", "is_working_day"))


# A few dozen rows a year, read for every deadline: kept per process (see core.memo).
_adjustment_memo = ProcessMemo(_all_adjustments, models=("core.CalendarAdjustment",))


def _adjustments(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return {d: w for d, w in _adjustment_memo.get().items() if start <= d <= end}


def is_working_day(day: dt.date, adjustments: dict[dt.date, bool] | None = None) -> bool:
    if adjustments is None:
        adjustments = _adjustments(day, day)
    if day in adjustments:
        return adjustments[day]
    return _official_working_day(day)


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
