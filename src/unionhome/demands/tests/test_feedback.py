"""The worker judges the result: low ratings reopen and draw the parent's attention."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from unionhome.core.models import Notification
from unionhome.demands import services
from unionhome.demands.models import Demand, Status


@pytest.fixture
def resolved(cast, submit, django_capture_on_commit_callbacks):
    demand = submit()
    services.accept_demand(cast.enterprise_cadre, demand)
    services.resolve_demand(cast.enterprise_cadre, demand, "企业已补发3月、4月工资。")
    demand.refresh_from_db()
    return demand


def test_low_rating_reopens_and_alerts_the_parent(
    cast, resolved, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.rate_demand(resolved.tracking_code, rating=2, solved=True, comment="只补了一半")
    demand = Demand.objects.get(pk=resolved.pk)
    assert demand.status == Status.IN_PROGRESS and demand.escalated
    assert demand.rating == 2
    assert Notification.objects.filter(
        recipient=cast.street_cadre, title__contains=demand.code
    ).exists()
    assert demand.code in [d.code for d in services.inbox(cast.street_cadre, escalated=True)]


def test_not_solved_reopens_even_with_stars(cast, resolved):
    services.rate_demand(resolved.tracking_code, rating=4, solved=False)
    assert Demand.objects.get(pk=resolved.pk).status == Status.IN_PROGRESS


def test_good_rating_closes_and_schedules_a_follow_up(cast, resolved):
    services.rate_demand(resolved.tracking_code, rating=5, solved=True)
    demand = Demand.objects.get(pk=resolved.pk)
    assert demand.status == Status.CLOSED and demand.follow_up_due > timezone.now()


def test_rating_outside_the_window_is_refused(cast, resolved):
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=8)),
        pytest.raises(ValidationError) as info,
    ):
        services.rate_demand(resolved.tracking_code, rating=1, solved=False)
    assert info.value.code == "window_closed"


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_must_be_one_to_five(cast, resolved, rating):
    with pytest.raises(ValidationError):
        services.rate_demand(resolved.tracking_code, rating=rating, solved=True)


def test_unrated_resolution_closes_itself_after_the_window(cast, resolved):
    result = services.sweep(now=timezone.now() + dt.timedelta(days=8))
    assert result.closed == 1
    assert Demand.objects.get(pk=resolved.pk).status == Status.CLOSED


def test_follow_up_no_reopens(cast, resolved):
    services.rate_demand(resolved.tracking_code, rating=5, solved=True)
    later = timezone.now() + dt.timedelta(days=31)
    assert services.sweep(now=later).follow_ups == 1
    assert services.sweep(now=later).follow_ups == 0  # asked once
    services.answer_follow_up(resolved.tracking_code, still_solved=False, comment="又欠了")
    demand = Demand.objects.get(pk=resolved.pk)
    assert demand.status == Status.IN_PROGRESS and demand.escalated


def test_worker_is_texted_through_the_sender(
    cast, resolved, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level("INFO", logger="unionhome.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.reopen_demand(cast.enterprise_cadre, resolved, "职工来电说没补齐")
        services.resolve_demand(cast.enterprise_cadre, resolved, "已全部补齐。")
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
