"""Roll-ups maintained by the services equal a full recount from the raw rows."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from unionhome.dashboards import rollups
from unionhome.dashboards.models import DailyOrgCount, OrgGauge
from unionhome.demands import services as ds
from unionhome.demands.models import OPEN_STATUSES, Demand, Status
from unionhome.members import services as ms
from unionhome.members.models import Membership
from unionhome.orgs import services as org_services
from unionhome.orgs.models import Org
from unionhome.testing.personas import make_id_number

from .conftest import EMPLOYERS

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(DailyOrgCount.objects.exclude(submitted=0, resolved=0, closed=0, rated=0, joined=0,
                                             ended=0).values_list(
            "org_id", "day", "submitted", "resolved", "resolution_seconds", "closed", "rated",
            "rating_sum", "joined", "ended")),
        sorted(OrgGauge.objects.exclude(open=0, escalated_open=0, members=0).values_list(
            "org_id", "open", "escalated_open", "members")),
    )  # fmt: skip


def _random_step(rng: random.Random, cast, submit, n: int) -> None:
    root = cast.root
    demands = list(Demand.objects.order_by("pk"))
    action = rng.choice(["submit", "submit", "accept", "assign", "resolve", "rate", "close",
                         "reopen", "escalate", "transfer", "merge", "member", "leave",
                         "transfer_member", "sweep"])  # fmt: skip
    try:
        if action == "submit" or not demands:
            submit(n, rng.choice(EMPLOYERS))
            return
        demand = rng.choice(demands)
        if action == "accept":
            ds.accept_demand(root, demand)
        elif action == "assign":
            ds.assign_demand(root, demand, cast.city_cadre)
        elif action == "resolve":
            ds.resolve_demand(root, demand, "已协调企业补发工资。")
        elif action == "rate":
            ds.rate_demand(demand.tracking_code, rating=rng.randint(1, 5),
                           solved=rng.random() < 0.7)  # fmt: skip
        elif action == "close":
            ds.close_demand(root, demand, "职工撤回。")
        elif action == "reopen":
            ds.reopen_demand(root, demand, "再看看。")
        elif action == "escalate":
            ds.escalate_demand(root, demand, "需要上级协调。")
        elif action == "transfer":
            targets = list(ds.transfer_targets(root, demand))
            if targets:
                ds.transfer_demand(root, demand, rng.choice(targets), "属地管理。")
        elif action == "merge":
            other = rng.choice(demands)
            ds.merge_demands(root, demand, other)
        elif action == "member":
            org = rng.choice([cast.hengda, cast.ruifeng])
            ms.add_member(root, org, ms.PersonData(name="赵敏", id_number=make_id_number(
                seq=100 + n), phone=f"1360000{n:04d}"))  # fmt: skip
        elif action == "leave":
            active = list(Membership.objects.filter(status="active"))
            if active:
                ms.end_membership(root, rng.choice(active), "退休")
        elif action == "transfer_member":
            active = list(Membership.objects.filter(status="active").select_related("person"))
            if active:
                m = rng.choice(active)
                to = cast.ruifeng if m.org_id == cast.hengda.pk else cast.hengda
                ms.confirm_transfer(root, ms.request_transfer(root, m.person, to, "调动"))
        elif action == "sweep":
            ds.sweep(timezone.now() + dt.timedelta(days=rng.randint(1, 40)))
    except (ValidationError, Http404):
        pass  # illegal transitions and refused inputs are part of the random walk


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_full_recount_after_random_service_operations(cast, submit, seed):
    rng = random.Random(seed)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for n in range(60):
            _random_step(rng, cast, submit, n)
            clock.shift(dt.timedelta(hours=rng.randint(1, 30)))
    assert Demand.objects.exists()
    assert rollups.check() == []
    assert rollups.check(method="orm") == []  # the same as above on SQLite; on PostgreSQL not
    maintained = snapshot()
    rollups.rebuild()
    assert snapshot() == maintained


def test_check_reports_a_tampered_rollup_and_exits_1(cast, submit, capsys):
    submit(1)
    assert rollups.check() == []
    OrgGauge.objects.filter(org=cast.wuxi).update(open=7)
    with pytest.raises(SystemExit) as exit_:
        call_command("rebuild_rollups", "--check", "--quiet")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"{cast.wuxi.path} gauge open: stored=7 recount=1" in out
    assert "differences=1" in out
    call_command("rebuild_rollups", "--quiet")
    call_command("rebuild_rollups", "--check", "--quiet")  # no exit: clean again


def test_a_demand_counts_in_its_org_and_every_ancestor_only(cast, submit):
    demand = submit(1)
    assert demand.org_id == cast.hengda.pk
    open_by_org = dict(OrgGauge.objects.values_list("org_id", "open"))
    for org in (cast.national, cast.province, cast.wuxi, cast.liangxi, cast.chonganssi,
                cast.hengda):  # fmt: skip
        assert open_by_org[org.pk] == 1, org.name
    for org in (cast.guangyi, cast.ruifeng, cast.nanjing, cast.hengda_branch):
        assert open_by_org.get(org.pk, 0) == 0, org.name


def test_moving_a_subtree_moves_its_figures_between_ancestors(cast, submit):
    ds.transfer_demand(cast.root, submit(1), cast.ruifeng, "属地管理。")
    xinwu = org_services.create_org(cast.root, parent=cast.wuxi, name="无锡市新吴区总工会",
                                    level="county", region_code="320214")  # fmt: skip
    org_services.move_org(cast.root, Org.objects.get(pk=cast.guangyi.pk), xinwu)
    gauges = dict(OrgGauge.objects.values_list("org_id", "open"))
    assert gauges[xinwu.pk] == 1 and gauges[cast.liangxi.pk] == 0 and gauges[cast.wuxi.pk] == 1
    assert rollups.check() == []


def test_overdue_figure_equals_the_overdue_query_at_the_hour(cast, submit):
    for n in range(4):
        submit(n)
    later = timezone.now() + dt.timedelta(days=10, minutes=17)
    boundary = rollups.overdue_boundary(later)
    assert boundary.minute == 0 and boundary <= later
    expected = Demand.objects.overdue(boundary).in_subtree(cast.wuxi.path).count()
    assert expected == 4  # ten days unacknowledged is past the acknowledge deadline
    from unionhome.dashboards.services import _overdue

    assert _overdue([cast.wuxi.pk], boundary) == {cast.wuxi.pk: expected}
    ds.accept_demand(cast.root, Demand.objects.first())
    expected = Demand.objects.overdue(boundary).in_subtree(cast.wuxi.path).count()
    assert _overdue([cast.wuxi.pk], boundary) == {cast.wuxi.pk: expected}
    assert expected == 3


def test_roster_import_in_bulk_counts_its_members(cast, db):
    import importlib.util
    from pathlib import Path

    bench_path = Path(__file__).resolve().parents[4] / "bench" / "roster_import.py"
    spec = importlib.util.spec_from_file_location("roster_bench_for_rollups", bench_path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.run(100, 0.05) == 0
    assert Membership.objects.filter(status="active").count() >= 100
    assert rollups.check() == []


def test_open_gauge_matches_open_statuses(cast, submit):
    demands = [submit(n) for n in range(3)]
    ds.accept_demand(cast.root, demands[0])
    ds.resolve_demand(cast.root, demands[0], "已协调企业补发工资。")
    gauge = OrgGauge.objects.get(org=cast.national)
    assert gauge.open == Demand.objects.filter(status__in=OPEN_STATUSES).count() == 2
    assert Demand.objects.filter(status=Status.RESOLVED).count() == 1
