"""The status machine: every action is legal from exactly the statuses in TRANSITIONS."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from unionhome.demands import services
from unionhome.demands.models import Demand, DemandEvent, EventKind, Status

ALL_STATUSES = list(Status.values)


def put_in_status(demand: Demand, status: str) -> Demand:
    """Force a status for the matrix (bypassing services is the point here)."""
    Demand.objects.filter(pk=demand.pk).update(
        status=status, resolved_at=timezone.now() if status == Status.RESOLVED else None
    )
    demand.refresh_from_db()
    return demand


def run(action: str, cast, demand: Demand, other: Demand):
    actor = cast.street_cadre
    if action == "accept":
        return services.accept_demand(actor, demand)
    if action == "assign":
        return services.assign_demand(actor, demand, cast.enterprise_cadre)
    if action == "visit":
        return services.log_visit(actor, demand, visited_on=timezone.localdate(), place="车间",
                                  people_met="车间主任、三名职工", notes="核实欠薪情况属实。")  # fmt: skip
    if action == "reply":
        return services.reply_to_worker(actor, demand, "已联系企业负责人。")
    if action == "transfer":
        return services.transfer_demand(actor, demand, cast.guangyi, "职工实际在广益街道上班。")
    if action == "escalate":
        return services.escalate_demand(actor, demand, "企业拒不配合，需上级协调。")
    if action == "merge":
        return services.merge_demands(actor, demand, other)
    if action == "resolve":
        return services.resolve_demand(actor, demand, "企业已补发3月、4月工资。")
    if action == "close":
        return services.close_demand(actor, demand, "职工撤回。")
    if action == "reopen":
        return services.reopen_demand(actor, demand, "企业又拖欠了。")
    if action == "rate":
        return services.rate_demand(demand.tracking_code, rating=5, solved=True)
    raise AssertionError(action)


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", list(services.TRANSITIONS))
def test_every_action_is_allowed_exactly_from_its_statuses(cast, submit, action, status):
    demand = put_in_status(submit(), status)
    other = submit(description="另一条：恒达精密车间没有发放高温津贴，大家都很有意见。")
    allowed, target = services.TRANSITIONS[action]
    events_before = DemandEvent.objects.filter(demand=demand).count()
    if status in allowed:
        run(action, cast, demand, other)
        demand.refresh_from_db()
        if target is not None:
            assert demand.status == target
        assert DemandEvent.objects.filter(demand=demand).count() > events_before
    else:
        with pytest.raises(ValidationError) as info:
            run(action, cast, demand, other)
        assert info.value.code == "illegal_transition"
        demand.refresh_from_db()
        assert demand.status == status
        assert DemandEvent.objects.filter(demand=demand).count() == events_before


def test_events_are_immutable(cast, submit):
    event = submit().events.first()
    event.message = "改写历史"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        DemandEvent.objects.filter(pk=event.pk).update(message="x")
    with pytest.raises(TypeError):
        event.delete()


def test_every_transition_records_who_when_what_why(cast, submit):
    demand = submit()
    services.accept_demand(cast.street_cadre, demand)
    services.escalate_demand(cast.street_cadre, demand, "企业拒不配合")
    event = demand.events.get(kind=EventKind.ESCALATED)
    assert event.actor == cast.street_cadre
    assert event.reason == "企业拒不配合"
    assert event.from_org == cast.hengda and event.to_org == cast.chonganssi
    assert event.at <= timezone.now()


def test_second_cadre_with_a_stale_version_gets_a_conflict_not_an_overwrite(cast, submit):
    demand = submit()
    seen_by_both = demand.version
    services.accept_demand(cast.street_cadre, demand, expected_version=seen_by_both)
    with pytest.raises(services.ConflictError) as info:
        services.resolve_demand(
            cast.enterprise_cadre, demand, "已解决。", expected_version=seen_by_both
        )
    assert "刚被其他人修改过" in info.value.messages[0]
    demand.refresh_from_db()
    assert demand.status == Status.ACCEPTED and demand.outcome == ""


def test_resolve_needs_an_outcome(cast, submit):
    demand = submit()
    services.accept_demand(cast.street_cadre, demand)
    with pytest.raises(ValidationError) as info:
        services.resolve_demand(cast.street_cadre, demand, "  ")
    assert "outcome" in info.value.message_dict


def test_visit_cannot_be_dated_in_the_future(cast, submit):
    demand = submit()
    services.accept_demand(cast.street_cadre, demand)
    with pytest.raises(ValidationError) as info:
        services.log_visit(cast.street_cadre, demand, visited_on=timezone.localdate() + dt.timedelta(days=1),
                           place="车间", people_met="职工", notes="了解情况")  # fmt: skip
    assert "visited_on" in info.value.message_dict


def test_merge_points_the_duplicate_at_the_kept_demand(cast, submit):
    kept, duplicate = (
        submit(),
        submit(description="恒达精密机械有限公司欠我们3、4月工资，两个月没发了。"),
    )
    services.merge_demands(cast.street_cadre, duplicate, kept)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == kept
    with pytest.raises(ValidationError):
        services.merge_demands(cast.street_cadre, kept, kept)
