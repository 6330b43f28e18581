"""Early warning: employer bursts (raised once, employers never merged) and category surges."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from unionhome.core.models import Notification
from unionhome.digests import alerts
from unionhome.digests.models import Alert, AlertState

from .conftest import HENGDA

RUIFENG_UNION = "无锡瑞丰纺织有限公司工会委员会"


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def _one_rule_at_a_time(settings):
    # Five wage complaints in a quiet county are also a category surge; each test looks at one
    # rule (the surge tests switch the burst rule off instead).
    settings.UNIONHOME_ALERT_SURGE_MIN = 1000


def burst(make_demand, employer: str, n: int, start: dt.datetime, hours: int = 6,
          text: str = "拖欠工资两个月，工人们很着急。", **kw):  # fmt: skip
    return [make_demand(f"{text}（第{i}位）", employer=employer, category="wages",
                        when=start + dt.timedelta(hours=hours * i), **kw) for i in range(n)]  # fmt: skip


def test_five_demands_about_one_employer_in_three_days_raise_one_alert_to_the_county(
    cast, make_demand, now, django_capture_on_commit_callbacks
):
    demands = burst(make_demand, HENGDA, 5, now - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        result = alerts.scan_alerts(now)
    assert len(result.raised) == 1
    alert = result.raised[0]
    assert alert.kind == "employer_burst" and alert.org == cast.liangxi
    assert sorted(alert.demand_codes) == sorted(d.code for d in demands)
    assert alert.count == 5 and "恒达" in alert.title
    assert Notification.objects.filter(recipient=cast.district_cadre).count() == 1
    # Scanning again (cron) raises nothing new and notifies nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        again = alerts.scan_alerts(now + dt.timedelta(hours=1))
    assert again.raised == [] and Alert.objects.count() == 1
    assert Notification.objects.filter(recipient=cast.district_cadre).count() == 1


def test_more_demands_in_the_same_burst_extend_the_alert(cast, make_demand, now):
    burst(make_demand, HENGDA, 5, now - dt.timedelta(days=2, hours=12))
    alerts.scan_alerts(now - dt.timedelta(hours=12))
    late = make_demand("恒达又有人反映拖欠工资。", employer=HENGDA, category="wages",
                       when=now - dt.timedelta(hours=2))  # fmt: skip
    result = alerts.scan_alerts(now)
    assert result.raised == [] and result.updated == 1
    alert = Alert.objects.get()
    assert late.code in alert.demand_codes and alert.count == 6


def test_four_demands_or_a_slow_trickle_raise_nothing(cast, make_demand, now):
    burst(make_demand, HENGDA, 4, now - dt.timedelta(days=2))
    burst(make_demand, RUIFENG_UNION, 5, now - dt.timedelta(days=12), hours=50)
    assert alerts.scan_alerts(now).raised == []
    assert alerts.backfill(14, now).raised == []


def test_different_employers_do_not_merge_into_one_burst(cast, make_demand, now):
    burst(make_demand, HENGDA, 3, now - dt.timedelta(days=1))
    burst(make_demand, RUIFENG_UNION, 3, now - dt.timedelta(days=1))
    assert alerts.scan_alerts(now).raised == []
    burst(make_demand, RUIFENG_UNION, 2, now - dt.timedelta(hours=5), hours=1)
    raised = alerts.scan_alerts(now).raised
    assert len(raised) == 1 and "瑞丰" in raised[0].title and raised[0].count == 5


def test_employer_named_only_in_the_text_is_recognised_by_the_scan(cast, make_demand, now):
    for i in range(5):
        make_demand(f"无锡恒达精密机械有限公司拖欠我们两个月工资了，第{i}次反映。",
                    category="wages", when=now - dt.timedelta(hours=3 * i + 1))  # fmt: skip
    raised = alerts.scan_alerts(now).raised
    assert len(raised) == 1 and raised[0].kind == "employer_burst"


def test_closed_alert_is_not_raised_again_for_the_same_burst(cast, make_demand, now):
    burst(make_demand, HENGDA, 5, now - dt.timedelta(days=2))
    alert = alerts.scan_alerts(now).raised[0]
    alerts.close_alert(cast.district_cadre, alert, "已协调发放")
    make_demand("恒达又有人反映拖欠工资。", employer=HENGDA, category="wages",
                when=now - dt.timedelta(minutes=5))  # fmt: skip
    assert alerts.scan_alerts(now).raised == []
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.count == 5


def test_surge_rule_uses_mean_plus_k_sd_and_a_minimum():
    assert alerts.surge_rule([6, 1, 0, 1, 0, 1, 0, 1, 0], 3.0, 5)[0] is True
    assert alerts.surge_rule([4, 0, 0, 0, 0, 0, 0, 0, 0], 3.0, 5)[0] is False  # below minimum
    raised, mean, sd, threshold = alerts.surge_rule([8, 5, 7, 6, 9, 4, 8, 5, 6], 3.0, 5)
    assert raised is False and mean == pytest.approx(6.25) and threshold == mean + 3 * sd
    assert alerts.weekly_counts(
        [dt.datetime(2026, 11, 27, tzinfo=dt.UTC), dt.datetime(2026, 11, 19, tzinfo=dt.UTC)],
        dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
        2,
    ) == [1, 1, 0]


def test_category_surge_in_a_county_raises_once_with_its_baseline(cast, make_demand, now,
                                                                  settings):  # fmt: skip
    settings.UNIONHOME_ALERT_BURST_COUNT = 100  # only the surge rule here
    settings.UNIONHOME_ALERT_SURGE_MIN = 5
    for week in range(1, 9):
        if week % 2:
            make_demand("工地高处作业没有安全带，太危险了。", category="safety_injury",
                        when=now - dt.timedelta(days=7 * week + 1))  # fmt: skip
    for i in range(6):
        make_demand(f"车间通风设备坏了，工友头晕，第{i}个反映。", category="safety_injury",
                    when=now - dt.timedelta(days=1, hours=i))  # fmt: skip
    raised = alerts.scan_alerts(now).raised
    assert len(raised) == 1
    alert = raised[0]
    assert alert.kind == "category_surge" and alert.category == "safety_injury"
    assert alert.org == cast.liangxi and alert.count == 6
    assert alert.evidence["weekly_counts"][0] == 6 and alert.baseline_mean == pytest.approx(0.5)
    assert len(alert.demand_codes) == 6
    assert alerts.scan_alerts(now + dt.timedelta(days=1)).raised == []


def test_submission_checks_its_employer_after_commit(cast, make_demand, now,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    burst(make_demand, HENGDA, 4, now - dt.timedelta(hours=20))
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        make_demand("恒达精密拖欠工资，第五个人来反映。", employer=HENGDA, category="wages")
    assert Alert.objects.filter(kind="employer_burst").count() == 1


def test_submission_raises_a_surge_then_adds_to_it_without_rescanning(
    cast, make_demand, now, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.UNIONHOME_ALERT_BURST_COUNT = 100  # only the surge rule here
    settings.UNIONHOME_ALERT_SURGE_MIN = 5
    make_demand("工地高处作业没有安全带。", category="safety_injury",
                when=now - dt.timedelta(days=15))  # fmt: skip
    for i in range(4):
        make_demand(f"车间通风设备坏了，第{i}个反映。", category="safety_injury",
                    when=now - dt.timedelta(hours=5 + i))  # fmt: skip
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        fifth = make_demand("车间通风设备坏了，第五个反映。", category="safety_injury")
    alert = Alert.objects.get(kind="category_surge")
    assert alert.count == 5 and fifth.code in alert.demand_codes

    scans = []
    monkeypatch.setattr(alerts, "scan_category_surges", lambda *a, **k: scans.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        sixth = make_demand("车间通风设备坏了，第六个反映。", category="safety_injury")
    alert.refresh_from_db()
    assert scans == [] and alert.count == 5  # raised just now: evidence refreshed later
    assert alerts._quiet  # … and this process skips the surge's checks until then
    Alert.objects.filter(pk=alert.pk).update(window_end=now - alerts.EVIDENCE_REFRESH)
    alerts._quiet.clear()  # as if EVIDENCE_REFRESH had passed
    with django_capture_on_commit_callbacks(execute=True):
        seventh = make_demand("车间通风设备坏了，第七个反映。", category="safety_injury")
        quiet = make_demand("食堂饭菜太贵。", category="other")
    alert.refresh_from_db()
    assert scans == []  # the open alert was extended directly, not rescanned
    assert alert.count == 7 and seventh.code in alert.demand_codes
    assert sixth.code not in alert.demand_codes  # the next scan adds it
    assert quiet.code not in alert.demand_codes
    assert alert.evidence["weekly_counts"][:3] == [7, 0, 1]
    assert Alert.objects.count() == 1
    monkeypatch.undo()
    alerts.scan_alerts(timezone.now())
    alert.refresh_from_db()
    assert sixth.code in alert.demand_codes


def test_submission_check_counts_weeks_as_the_scan_does(cast, make_demand, now):
    from unionhome.demands.models import Demand

    times = [now - dt.timedelta(days=d, minutes=m) for d, m in
             [(0, 1), (6, 59), (7, 0), (7, 1), (13, 0), (20, 5), (62, 0), (63, 0), (64, 0)]]  # fmt: skip
    for when in times:
        make_demand("加班费没有按规定发放。", category="wages", when=when)
    in_db = alerts.recent_weekly_counts(Demand.objects.filter(category="wages"), now, 8)
    assert in_db == alerts.weekly_counts(times, now, 8)


def test_submission_in_a_raised_burst_joins_its_alert_without_rescanning(
    cast, make_demand, now, monkeypatch, django_capture_on_commit_callbacks
):
    burst(make_demand, HENGDA, 4, now - dt.timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        make_demand("恒达精密拖欠工资，第五个人来反映。", employer=HENGDA, category="wages")
    alert = Alert.objects.get(kind="employer_burst")
    Alert.objects.filter(pk=alert.pk).update(window_end=now - alerts.EVIDENCE_REFRESH)
    scans = []
    monkeypatch.setattr(alerts, "scan_employer_bursts", lambda *a, **k: scans.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        sixth = make_demand("恒达精密拖欠工资，第六个人。", employer=HENGDA, category="wages")
    alert.refresh_from_db()
    assert scans == [] and sixth.code in alert.demand_codes and alert.count == 6
    assert Alert.objects.filter(kind="employer_burst").count() == 1


def test_scan_alerts_command_is_idempotent(cast, make_demand, now, settings):
    settings.UNIONHOME_ALERT_SURGE_MIN = 5  # both rules fire on this burst
    burst(make_demand, HENGDA, 5, now - dt.timedelta(days=1))
    call_command("scan_alerts")
    assert sorted(Alert.objects.values_list("kind", flat=True)) == ["category_surge",
                                                                    "employer_burst"]  # fmt: skip
    call_command("scan_alerts")
    call_command("scan_alerts", "--backfill", "5")
    assert Alert.objects.count() == 2


def test_alerts_are_scoped_and_handled_by_the_holding_union(cast, make_demand, now):
    from django.http import Http404

    burst(make_demand, HENGDA, 5, now - dt.timedelta(days=1))
    alert = alerts.scan_alerts(now).raised[0]
    assert alert in alerts.visible_alerts(cast.city_cadre)
    assert alert not in alerts.visible_alerts(cast.street_cadre)
    for user in (cast.outsider, cast.street_cadre):
        with pytest.raises(Http404):
            alerts.get_alert_for_user(user, alert.code)
    alerts.acknowledge_alert(cast.district_cadre, alert, "已联系企业")
    alert.refresh_from_db()
    assert alert.state == "acknowledged" and alert.note == "已联系企业"
    alerts.close_alert(cast.city_cadre, alert)
    alert.refresh_from_db()
    assert alert.state == "closed" and alert.closed_by == cast.city_cadre
