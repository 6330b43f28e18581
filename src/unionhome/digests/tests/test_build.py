"""Building a digest: ranking, trend against the previous period, masking, scoping."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from unionhome.digests import ranking, services
from unionhome.digests.models import Digest

from .conftest import HENGDA, at


def build(user, org, period, **kw):
    digest, job = services.create_digest(user, org=org, period_start=period[0],
                                         period_end=period[1], **kw)  # fmt: skip
    assert job is None
    return digest


def test_wage_arrears_burst_ranks_first_with_growth_against_previous_month(
    cast, wage_burst, period, fake_clustering
):
    digest = build(cast.city_cadre, cast.wuxi, period)
    clusters = list(digest.clusters.all())
    assert digest.demand_count == 9 and digest.previous_count == 1
    top = clusters[0]
    assert top.rank == 1
    assert top.size == 6
    assert top.categories[0] == {"code": "wages", "count": 6}
    assert top.previous_size == 1 and top.growth == pytest.approx(5.0)
    assert any("恒达" in e["name"] for e in top.employers)
    assert "恒达" in top.title
    assert top.urgency > max(c.urgency for c in clusters[1:])
    assert [c.rank for c in clusters] == list(range(1, len(clusters) + 1))
    assert sum(c.size for c in clusters) == 9
    assert top.distinct_workers == 6 and top.share_resolved == 0
    assert top.representative_text and top.candidate_ids[0] == top.representative_id


def test_real_clustering_puts_the_wage_arrears_burst_on_top(cast, wage_burst, period):
    """With `text.cluster` itself: the burst leads, about 恒达, mostly wage complaints."""
    digest = build(cast.city_cadre, cast.wuxi, period)
    top = digest.clusters.get(rank=1)
    assert top.categories[0]["code"] == "wages" and top.categories[0]["count"] >= 4
    assert any("恒达" in e["name"] for e in top.employers)


def test_larger_topic_outranks_when_urgency_is_equal(cast, make_demand, period, fake_clustering):
    first, _ = period
    for i in range(4):
        make_demand(f"会员卡怎么办理？第{i}次问了。", category="membership",
                    when=at(first + dt.timedelta(days=i)))  # fmt: skip
    for i in range(2):
        make_demand(f"入会需要什么材料？问题{i}。", category="membership",
                    when=at(first + dt.timedelta(days=i)))  # fmt: skip
    digest = build(cast.city_cadre, cast.wuxi, period)
    assert [c.size for c in digest.clusters.all()] == [4, 2]


def test_score_formula_orders_size_then_urgency_then_growth():
    assert ranking.score_of(10, 0.0, 0.0) == 10
    assert ranking.score_of(10, 1.0, 0.0) == 20
    assert ranking.score_of(10, 0.0, 3.0) == pytest.approx(17.5)
    assert ranking.score_of(10, 0.0, 99) == ranking.score_of(10, 0.0, 3.0)  # growth is capped
    assert ranking.score_of(10, 0.0, -1) == pytest.approx(7.5)
    # A big ordinary topic is not overtaken by a tiny alarming one.
    assert ranking.score_of(10, 0.2, 0) > ranking.score_of(3, 1.0, 3.0)


def test_urgency_counts_category_weight_urgent_late_and_escalated():
    now = at(dt.date(2026, 11, 1))
    late = now - dt.timedelta(days=1)

    def facts(category, urgency="normal", status="accepted", escalated=False, deadline=None):
        return ranking.DemandFacts(1, category, urgency, status, escalated,
                                   deadline or now + dt.timedelta(days=5), None, "")  # fmt: skip

    assert ranking.urgency_of([facts("membership")], now) == pytest.approx(0.08)
    assert ranking.urgency_of([facts("wages")], now) == pytest.approx(0.4)
    assert ranking.urgency_of(
        [facts("wages", "urgent", escalated=True, deadline=late)], now
    ) == pytest.approx(1.0)


def test_previous_period_of_a_month_is_the_month_before():
    assert services.previous_period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert services.previous_period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert services.previous_period(dt.date(2026, 3, 10), dt.date(2026, 3, 16)) == (
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 9),
    )


def test_digest_text_is_masked(cast, make_demand, period):
    first, _ = period
    for i in range(3):
        make_demand(
            f"恒达精密拖欠工资两个月，我叫王建国，电话1381234567{i}，身份证号{ID}，请帮忙讨薪。",
            employer=HENGDA,
            category="wages",
            when=at(first + dt.timedelta(days=2 + i)),
        )
    digest = build(cast.city_cadre, cast.wuxi, period, title="联系人李娜 13912345678 的报告")
    cluster = digest.clusters.get(rank=1)
    services.attach_cases(cast.city_cadre, cluster, cluster.candidate_ids[:2])
    services.update_digest(cast.city_cadre, digest, title=digest.title,
                           narrative="来电人张小红反映，电话13800001111。")  # fmt: skip
    digest.refresh_from_db()
    stored = " ".join([digest.title, digest.narrative, cluster.representative_text, cluster.title]
                      + [c.text for c in cluster.cases.all()])  # fmt: skip
    for secret in ("13812345670", "13912345678", "13800001111", ID, "王建国", "李娜", "张小红"):
        assert secret not in stored
    assert "138****5670" in cluster.representative_text or "138****567" in stored


ID = "320213199001011237"


def test_street_cadre_cannot_build_a_digest_for_another_street(cast):
    with pytest.raises(PermissionDenied):
        services.create_digest(cast.street_cadre, org=cast.guangyi,
                               period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))  # fmt: skip
    assert not Digest.objects.exists()


def test_street_cadre_digest_reads_only_its_subtree(cast, make_demand, period):
    first, _ = period
    for i in range(3):
        make_demand("瑞丰纺织拖欠工资两个月，工人们很着急。", employer="无锡瑞丰纺织有限公司工会委员会",
                    category="wages", when=at(first + dt.timedelta(days=i)))  # fmt: skip
    make_demand("恒达精密拖欠工资两个月。", employer=HENGDA, category="wages",
                when=at(first + dt.timedelta(days=1)))  # fmt: skip
    digest = build(cast.street_cadre, cast.chonganssi, period)
    assert digest.demand_count == 1
    city = build(cast.city_cadre, cast.wuxi, period)
    assert city.demand_count == 4


def test_outsider_and_other_streets_get_404_for_a_digest(cast, wage_burst, period):
    digest = build(cast.street_cadre, cast.chonganssi, period)
    for user in (cast.outsider, cast.other_street_cadre, cast.member):
        with pytest.raises(Http404):
            services.get_digest_for_user(user, digest.code)


def test_draft_is_private_to_its_union_until_published_then_parents_see_it(cast, wage_burst,
                                                                             period):  # fmt: skip
    digest = build(cast.street_cadre, cast.chonganssi, period)
    assert digest not in services.visible_digests(cast.district_cadre)
    with pytest.raises(Http404):
        services.get_digest_for_user(cast.city_cadre, digest.code)
    services.publish_digest(cast.street_cadre, digest)
    assert digest in services.visible_digests(cast.district_cadre)
    assert digest in services.visible_digests(cast.city_cadre)
    assert services.get_digest_for_user(cast.city_cadre, digest.code) == digest


def test_period_must_be_ordered_and_not_in_the_future(cast):
    with pytest.raises(ValidationError):
        services.create_digest(cast.city_cadre, org=cast.wuxi, period_start=dt.date(2026, 2, 1),
                               period_end=dt.date(2026, 1, 1))  # fmt: skip
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    with pytest.raises(ValidationError):
        services.create_digest(cast.city_cadre, org=cast.wuxi, period_start=dt.date(2026, 1, 1),
                               period_end=tomorrow)  # fmt: skip
    assert not Digest.objects.exists()


def test_large_build_runs_as_a_job_with_progress(cast, wage_burst, period, settings,
                                                 fake_clustering,
                                                 django_capture_on_commit_callbacks):  # fmt: skip
    settings.UNIONHOME_DIGEST_INLINE_LIMIT = 3
    with django_capture_on_commit_callbacks(execute=True):
        digest, job = services.create_digest(cast.city_cadre, org=cast.wuxi,
                                             period_start=period[0], period_end=period[1])  # fmt: skip
        assert not digest.is_built
    assert job is not None
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    digest.refresh_from_db()
    assert digest.is_built and digest.clusters.get(rank=1).size == 6
    assert job.result["digest"] == digest.code
    from unionhome.core.jobs import read_progress

    state = read_progress(job)
    assert state["message"] == "统计与排序" and state["done"] == state["total"] > 0
