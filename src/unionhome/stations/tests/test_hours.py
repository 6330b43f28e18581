"""Opening hours: the text clerks type, the errors they see, and "open now" on a frozen clock."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from unionhome.stations.hours import hours_text, is_open, parse_hours

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """2026-06-01 is a Monday; `day` 0 = Monday."""
    return dt.datetime(2026, 6, 1 + day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text",
    [
        "24小时",
        "周一至周五 08:00-20:00；周六、周日 09:00-17:00",
        "每天 07:00-09:00, 11:00-13:30, 17:00-19:00",
        "周一至周六 22:00-06:00",
        "周二至周日 09:00-17:00",
    ],
)
def test_canonical_text_reads_back_to_the_same_hours(text):
    data = parse_hours(text)
    assert hours_text(data) == text
    assert parse_hours(hours_text(data)) == data


def test_full_width_digits_and_punctuation_are_read():
    assert parse_hours("周一至周五 ０８：００－２０：００") == parse_hours("周一至周五 08:00-20:00")


def test_weekday_words_and_closed_days():
    data = parse_hours("每天 09:00-18:00；周一 闭馆")
    assert "0" not in data["days"]
    assert data["days"]["1"] == [["09:00", "18:00"]]
    assert parse_hours("工作日 9:00-17:00")["days"].keys() == {"0", "1", "2", "3", "4"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "hours_empty"),
        ("   ", "hours_empty"),
        ("周八 08:00-09:00", "hours_format"),
        ("每天 25:00-26:00", "hours_format"),
        ("周一 08:00-08:00", "hours_format"),
        ("看情况", "hours_format"),
        ("每天 休息", "hours_never_open"),
    ],
)
def test_unreadable_hours_are_refused_with_a_reason(text, code):
    with pytest.raises(ValidationError) as caught:
        parse_hours(text)
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_open_now_respects_day_and_time():
    data = parse_hours("周一至周五 08:00-20:00；周六、周日 09:00-17:00")
    assert is_open(data, at(0, 8, 0))
    assert not is_open(data, at(0, 7, 59))
    assert not is_open(data, at(0, 20, 0))
    assert is_open(data, at(5, 16, 59))
    assert not is_open(data, at(5, 17, 30))


def test_overnight_hours_run_into_the_next_morning():
    data = parse_hours("周一至周五 22:00-06:00")
    assert is_open(data, at(0, 23))
    assert is_open(data, at(1, 5, 59))  # Monday night, Tuesday morning
    assert not is_open(data, at(1, 6, 0))
    assert is_open(data, at(5, 3))  # Friday night's shift into Saturday
    assert not is_open(data, at(6, 3))  # no Saturday night shift


def test_open_now_uses_the_deployment_time_zone():
    data = parse_hours("每天 08:00-20:00")
    # 01:00 UTC is 09:00 in Shanghai.
    with time_machine.travel(dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC), tick=False):
        assert is_open(data)
    with time_machine.travel(dt.datetime(2026, 6, 1, 13, 0, tzinfo=dt.UTC), tick=False):
        assert not is_open(data)


def test_always_open():
    assert is_open(parse_hours("24小时"), at(3, 3))
