"""The pages: list, new (default last month), editor actions, read view, alerts; scoping."""

import datetime as dt

import pytest

from unionhome.digests import alerts, services
from unionhome.digests.models import Digest

from .conftest import HENGDA


@pytest.fixture
def draft(cast, wage_burst, period, fake_clustering):
    digest, _job = services.create_digest(cast.street_cadre, org=cast.chonganssi,
                                          period_start=period[0], period_end=period[1])  # fmt: skip
    return digest


def test_new_digest_defaults_to_last_month_and_builds_on_submit(client, cast, wage_burst, period,
                                                                fake_clustering):  # fmt: skip
    client.force_login(cast.city_cadre)
    page = client.get("/digests/new/")
    assert page.status_code == 200
    assert f'value="{period[0].isoformat()}"' in page.content.decode()
    assert f'value="{period[1].isoformat()}"' in page.content.decode()
    response = client.post("/digests/new/", {
        "org": cast.wuxi.pk, "period_start": period[0].isoformat(),
        "period_end": period[1].isoformat(), "title": "",
    })  # fmt: skip
    digest = Digest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/digests/{digest.code}/"
    page = client.get(response["Location"]).content.decode()
    assert digest.title in page and digest.clusters.get(rank=1).title in page


def test_new_digest_form_refuses_a_reversed_period_in_chinese(client, cast):
    client.force_login(cast.city_cadre)
    response = client.post("/digests/new/", {"org": cast.wuxi.pk, "period_start": "2026-03-01",
                                             "period_end": "2026-02-01"})  # fmt: skip
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Digest.objects.exists()


def test_street_cadre_cannot_choose_another_street_in_the_form(client, cast):
    client.force_login(cast.street_cadre)
    response = client.post("/digests/new/", {"org": cast.guangyi.pk, "period_start": "2026-01-01",
                                             "period_end": "2026-01-31"})  # fmt: skip
    assert response.status_code == 200 and not Digest.objects.exists()


def test_editor_actions_post_through_the_services(client, cast, draft):
    client.force_login(cast.street_cadre)
    top = draft.clusters.get(rank=1)
    url = f"/digests/{draft.code}/"
    assert "修改标题和说明" in client.get(url).content.decode()
    client.post(f"{url}edit/", {"title": "新标题", "narrative": "电话13812345678的职工反映"})
    client.post(f"{url}clusters/{top.pk}/edit/", {f"c{top.pk}-title": "欠薪集中",
                                                  f"c{top.pk}-summary": ""})  # fmt: skip
    client.post(f"{url}clusters/{top.pk}/cases/", {"demand": top.candidate_ids[:2]})
    client.post(f"{url}clusters/{top.pk}/down/")
    draft.refresh_from_db()
    top.refresh_from_db()
    assert draft.title == "新标题" and "13812345678" not in draft.narrative
    assert top.title == "欠薪集中" and top.cases.count() == 2 and top.rank == 2
    response = client.post(f"{url}publish/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft
    page = client.get(url).content.decode()
    assert "修改标题和说明" not in page and "基于此新建版本" in page
    response = client.post(f"{url}edit/", {"title": "再改", "narrative": ""}, follow=True)
    assert "已发布的打包反映不能修改" in response.content.decode()


def test_list_shows_own_drafts_and_published_digests_from_below(client, cast, draft):
    client.force_login(cast.city_cadre)
    assert draft.code not in client.get("/digests/").content.decode()
    services.publish_digest(cast.street_cadre, draft)
    assert draft.code in client.get("/digests/").content.decode()
    client.force_login(cast.outsider)
    assert draft.code not in client.get("/digests/").content.decode()
    assert client.get(f"/digests/{draft.code}/").status_code == 404


def test_other_street_and_anonymous_visitors_are_turned_away(client, cast, draft):
    client.force_login(cast.other_street_cadre)
    assert client.get(f"/digests/{draft.code}/").status_code == 404
    assert client.post(f"/digests/{draft.code}/publish/").status_code == 404
    client.logout()
    assert client.get("/digests/").status_code == 302


def test_alert_pages_list_show_evidence_and_acknowledge(client, cast, make_demand, settings):
    settings.UNIONHOME_ALERT_SURGE_MIN = 1000
    from django.utils import timezone

    now = timezone.now()
    demands = [make_demand(f"恒达拖欠工资，第{i}人。", employer=HENGDA, category="wages",
                           when=now - dt.timedelta(hours=i + 1)) for i in range(5)]  # fmt: skip
    alert = alerts.scan_alerts(now).raised[0]
    client.force_login(cast.district_cadre)
    assert alert.code in client.get("/digests/alerts/").content.decode()
    page = client.get(f"/digests/alerts/{alert.code}/").content.decode()
    assert all(d.code in page for d in demands)
    client.post(f"/digests/alerts/{alert.code}/acknowledge/", {"note": "已联系"})
    alert.refresh_from_db()
    assert alert.state == "acknowledged"
    client.force_login(cast.outsider)
    assert client.get(f"/digests/alerts/{alert.code}/").status_code == 404


def test_api_lists_published_digests_and_alerts(client, cast, draft):
    services.publish_digest(cast.street_cadre, draft)
    client.force_login(cast.city_cadre)
    rows = client.get("/api/v1/digests").json()
    assert [r["code"] for r in rows] == [draft.code]
    one = client.get(f"/api/v1/digests/{draft.code}").json()
    assert one["clusters"][0]["rank"] == 1 and one["clusters"][0]["size"] == 6
    client.force_login(cast.outsider)
    assert client.get(f"/api/v1/digests/{draft.code}").status_code == 404
    assert client.get("/api/v1/digests/alerts").json() == []


def test_list_pages_query_count_does_not_grow_with_rows(client, cast, draft,
                                                        django_assert_max_num_queries):  # fmt: skip
    for _ in range(4):
        services.start_new_version(cast.street_cadre, services.publish_digest(
            cast.street_cadre, Digest.objects.filter(status="draft").first()))  # fmt: skip
    client.force_login(cast.city_cadre)
    with django_assert_max_num_queries(10):
        page = client.get("/digests/")
    assert page.content.decode().count('data-code="') == 4
    with django_assert_max_num_queries(10):
        client.get("/digests/alerts/")


def test_editor_query_count_does_not_grow_with_clusters(client, cast, draft,
                                                        django_assert_max_num_queries):  # fmt: skip
    assert draft.clusters.count() >= 3
    client.force_login(cast.street_cadre)
    with django_assert_max_num_queries(12):
        page = client.get(f"/digests/{draft.code}/")
    assert page.content.decode().count('class="cluster"') == draft.clusters.count()
