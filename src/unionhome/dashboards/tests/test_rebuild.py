"""Level-by-level rebuild (shadow tables on PostgreSQL) and the day/hour overdue buckets."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from unionhome.dashboards import rollups
from unionhome.dashboards.models import DailyOrgCount, DueCount, DueDayCount, OrgGauge
from unionhome.dashboards.services import _overdue
from unionhome.demands import services as ds
from unionhome.demands.models import Demand

pytestmark = pytest.mark.django_db


def _spread_demands(cast, submit, n: int = 12):
    """Demands submitted at different hours over two weeks, some acknowledged."""
    start = timezone.now() - dt.timedelta(days=14)
    demands = []
    with time_machine.travel(start, tick=False) as clock:
        for i in range(n):
            demands.append(submit(i))
            if i % 3 == 0:
                ds.accept_demand(cast.root, demands[-1])
            clock.shift(dt.timedelta(hours=17 + 5 * i))
    return demands


def _all_rollups():
    """Every roll-up row with a figure (the maintained tables may keep rows that fell to 0)."""
    tables = (
        DailyOrgCount.objects.values_list("org_id", "day", *rollups.DAILY_COLUMNS),
        OrgGauge.objects.values_list("org_id", "open", "escalated_open", "members"),
        DueCount.objects.values_list("org_id", "due_hour", "open"),
        DueDayCount.objects.values_list("org_id", "due_day", "open"),
    )
    return [sorted(r for r in rows if any(r[2:] if i != 1 else r[1:])) for i, rows in
            enumerate(tables)]  # fmt: skip


def test_overdue_from_day_and_hour_buckets_equals_the_raw_rows_at_every_hour(cast, submit):
    demands = _spread_demands(cast, submit)
    ds.resolve_demand(cast.root, demands[3], "已协调企业补发工资。")
    orgs = [cast.national, cast.wuxi, cast.liangxi, cast.hengda, cast.ruifeng]
    first = rollups.overdue_boundary(timezone.now() - dt.timedelta(days=14))
    seen = set()
    # Every fifth hour of five weeks: every hour of the day, midnight included, comes round.
    for k in range(0, 35 * 24, 5):
        boundary = first + dt.timedelta(hours=k)
        got = _overdue([o.pk for o in orgs], boundary)
        for org in orgs:
            want = Demand.objects.overdue(boundary).in_subtree(org.path).count()
            assert got.get(org.pk, 0) == want, (org.name, boundary)
            seen.add(want)
    assert len(seen) > 5  # the figure did move over the weeks


def test_day_buckets_are_the_hour_buckets_summed_by_utc_day(cast, submit):
    _spread_demands(cast, submit)
    by_day = (
        DueCount.objects.annotate(d=TruncDate("due_hour", tzinfo=dt.UTC))
        .values("org_id", "d")
        .order_by()
        .annotate(n=Sum("open"))
    )
    want = sorted((r["org_id"], r["d"], r["n"]) for r in by_day if r["n"])
    have = sorted(DueDayCount.objects.exclude(open=0).values_list("org_id", "due_day", "open"))
    assert have == want and len(have) > 3
    assert rollups.check() == []


def test_rebuild_equals_the_maintained_rows_and_keeps_accepting_upserts(cast, submit):
    _spread_demands(cast, submit)
    maintained = _all_rollups()
    result = rollups.rebuild()
    assert result["due_day_rows"] == DueDayCount.objects.count() > 0
    assert _all_rollups() == maintained
    assert rollups.check() == []
    # After the swap the tables still have their unique keys (upserts) and identity columns.
    submit(99)
    ds.accept_demand(cast.root, Demand.objects.order_by("-pk").first())
    assert rollups.check() == []
    rollups.rebuild()
    assert rollups.check() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="shadow tables on PostgreSQL only")
def test_postgresql_rebuild_keeps_every_constraint_index_and_sequence_name(cast, submit):
    submit(1)
    tables = [m._meta.db_table for m in rollups.ROLLUP_MODELS]

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                [tables],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT tablename, indexname FROM pg_indexes WHERE tablename = ANY(%s)"
                " ORDER BY 1, 2",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT pg_get_serial_sequence(t, 'id') FROM unnest(%s::text[]) t"
                " WHERE t <> 'dashboards_orggauge'",
                [tables],
            )
            sequences = cursor.fetchall()
        return constraints, indexes, sequences

    before = schema()
    rollups.rebuild()
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE %s", ["%_rebuild%"])
        assert cursor.fetchone()[0] == 0


def test_rebuild_of_an_empty_database(db):
    assert rollups.rebuild()["daily_rows"] == 0
    assert rollups.check() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL check is PostgreSQL's")
def test_sql_check_reports_the_same_differences_as_the_orm_check(cast, submit):
    _spread_demands(cast, submit)
    assert rollups.check(method="sql") == [] and rollups.check(method="orm") == []
    OrgGauge.objects.filter(org=cast.wuxi).update(open=7)
    first_day = DailyOrgCount.objects.filter(org=cast.liangxi).order_by("day").first()
    DailyOrgCount.objects.filter(pk=first_day.pk).update(submitted=99)
    hour = DueCount.objects.filter(org=cast.hengda).exclude(open=0).first()
    DueCount.objects.filter(pk=hour.pk).update(open=0)  # a missing row
    DueDayCount.objects.create(org=cast.ruifeng, due_day=dt.date(2020, 1, 1), open=3)  # extra
    sql = [vars(d) for d in rollups.check(method="sql")]
    orm = [vars(d) for d in rollups.check(method="orm")]
    assert sql == orm
    assert {(d["org_path"], d["table"]) for d in sql} == {
        (cast.wuxi.path, "gauge"),
        (cast.liangxi.path, "daily"),
        (cast.hengda.path, "due"),
        (cast.ruifeng.path, "due_day"),
    }
    rollups.rebuild()
    assert rollups.check(method="sql") == [] and rollups.check(method="orm") == []
