"""The cadre pages end to end through the test client, the demand link, reports and summary."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from unionhome.assistance import services
from unionhome.assistance.models import CaseStatus, HardshipCase
from unionhome.demands.models import Demand
from unionhome.testing.personas import make_id_number

HARDSHIP_TEXT = (
    "我丈夫患尿毒症每周透析三次，我一个人打零工养家，孩子读高中，家里实在困难，希望工会帮帮我们。"
)


def form_post(**overrides):
    data = {
        "name": "吴晓梅", "id_number": make_id_number(seq=41, birth="19850506", male=False),
        "phone": "13955556666", "address": "无锡市梁溪区崇安寺街道1号", "causes": ["illness"],
        "monthly_income": "3000", "debts": "", "housing": "rent", "situation": "丈夫患病",
        "m-TOTAL_FORMS": "3", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "12",
        "m-0-relation": "self", "m-0-name": "吴晓梅", "m-0-age": "40", "m-0-health": "healthy",
        "m-0-schooling": "none", "m-0-employment": "flexible",
        "m-1-relation": "spouse", "m-1-name": "张大勇", "m-1-age": "42", "m-1-health": "serious",
        "m-1-schooling": "none", "m-1-employment": "unable",
        "m-2-relation": "", "m-2-name": "", "m-2-age": "", "m-2-health": "healthy",
        "m-2-schooling": "none", "m-2-employment": "employed",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def hardship_demand(cast):
    from unionhome.demands import intake as demand_intake

    return demand_intake.submit_demand(demand_intake.Intake(
        description=HARDSHIP_TEXT, category="hardship", employer_name="无锡恒达精密机械有限公司",
        contact_name="吴晓梅", contact_phone="13955556666", address="崇安寺街道1号",
    ), channel="web")  # fmt: skip


def test_create_page_proposes_a_file_with_its_household(client, cast, lines):
    client.force_login(cast.enterprise_cadre)
    url = reverse("assistance:create") + f"?org={cast.hengda.code}"
    assert client.get(url).status_code == 200
    response = client.post(url, form_post())
    assert response.status_code == 302
    case = HardshipCase.objects.get()
    assert case.org == cast.hengda and case.household_size == 2
    assert case.assessed_level == "deep"  # 1500 per head with a seriously ill spouse
    assert response.url == reverse("assistance:detail", args=[case.code])


def test_create_page_shows_service_errors_and_writes_nothing(client, cast, lines):
    client.force_login(cast.enterprise_cadre)
    url = reverse("assistance:create") + f"?org={cast.hengda.code}"
    response = client.post(url, form_post(monthly_income="3000.123"))
    assert response.status_code == 400
    assert "两位小数" in response.content.decode()
    assert not HardshipCase.objects.exists()


def test_demand_page_offers_a_file_and_the_file_is_prefilled_and_linked(
    client, cast, lines, hardship_demand
):
    demand = hardship_demand
    client.force_login(cast.enterprise_cadre)
    page = client.get(reverse("demands:detail", args=[demand.code])).content.decode()
    assert "建立困难职工档案" in page
    create = reverse("assistance:create") + f"?demand={demand.code}"
    form = client.get(create).content.decode()
    assert "吴晓梅" in form and "13955556666" in form and "透析" in form
    response = client.post(create, form_post(demand_code=demand.code))
    assert response.status_code == 302
    case = HardshipCase.objects.get()
    assert case.demand == demand and case.org == demand.org
    page = client.get(reverse("demands:detail", args=[demand.code])).content.decode()
    assert case.code in page and "建立困难职工档案" not in page
    # Opening again goes to the existing file.
    assert client.get(create).url == reverse("assistance:detail", args=[case.code])


def test_other_categories_get_no_hardship_offer(client, cast, lines):
    from unionhome.demands import intake as demand_intake

    demand = demand_intake.submit_demand(demand_intake.Intake(
        description="公司拖欠我们三个月工资，希望工会帮忙讨要。", category="wages",
        employer_name="无锡恒达精密机械有限公司", contact_phone="13955556667",
    ), channel="web")  # fmt: skip
    client.force_login(cast.enterprise_cadre)
    assert "建立困难职工档案" not in client.get(
        reverse("demands:detail", args=[demand.code])).content.decode()  # fmt: skip


def test_approve_and_return_forms_appear_only_for_the_county(client, cast, propose):
    case = propose()
    detail = reverse("assistance:detail", args=[case.code])
    client.force_login(cast.street_cadre)
    assert 'id="action-approve"' not in client.get(detail).content.decode()
    response = client.post(reverse("assistance:act", args=[case.code, "approve"]), {})
    assert response.status_code == 302  # refused: not offered
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED
    client.force_login(cast.district_cadre)
    assert 'id="action-approve"' in client.get(detail).content.decode()
    assert client.post(reverse("assistance:act", args=[case.code, "return"]),
                       {"comment": ""}).status_code == 400  # fmt: skip
    client.post(reverse("assistance:act", args=[case.code, "approve"]), {"comment": "同意"})
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_grant_over_budget_is_refused_on_the_page(client, cast, approved, fund):
    case = approved()
    warmth = fund("500.00")
    client.force_login(cast.district_cadre)
    url = reverse("assistance:act", args=[case.code, "grant"])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"fund": warmth.pk, "amount": "600", "purpose": "慰问",
                                 "granted_on": today})  # fmt: skip
    assert response.status_code == 400
    assert "超出该资金剩余预算" in response.content.decode()
    response = client.post(url, {"fund": warmth.pk, "amount": "500", "purpose": "慰问",
                                 "granted_on": today})  # fmt: skip
    assert response.status_code == 302
    grant = case.grants.get()
    client.post(reverse("assistance:grant_pay", args=[grant.code]))
    grant.refresh_from_db()
    assert grant.payment_status == "paid"


def test_follow_ups_page_lists_own_and_subtree_cases(client, cast, approved):
    case = approved()
    client.force_login(cast.enterprise_cadre)
    page = client.get(reverse("assistance:follow_ups")).content.decode()
    mine = page.split('id="mine"')[1].split('id="others"')[0]
    assert case.code in mine
    client.force_login(cast.street_cadre)
    page = client.get(reverse("assistance:follow_ups")).content.decode()
    assert case.code in page.split('id="others"')[1]
    client.force_login(cast.other_street_cadre)
    assert case.code not in client.get(reverse("assistance:follow_ups")).content.decode()


def test_report_rolls_up_the_subtree(cast, approved, propose, fund):
    deep = approved(seq=51, monthly_income="2000.00")
    relative = approved(seq=53)
    propose(seq=55, org=cast.ruifeng, actor=cast.other_street_cadre)
    warmth = fund("10000.00")
    g = services.grant_aid(cast.district_cadre, deep, warmth, services.GrantData("1200.50", "慰问"))
    services.pay_grant(cast.district_cadre, g)
    services.grant_aid(cast.district_cadre, relative, warmth, services.GrantData("800", "慰问"))
    fund("2000.00", kind="schooling", org=cast.chonganssi)
    data = services.report(cast.liangxi)
    assert data["by_level"] == {"deep": 1, "relative": 1, "accident": 0}
    assert data["by_cause"]["illness"] == 2
    assert data["proposed"] == 1
    assert data["fund_totals"] == {"budget": Decimal("12000.00"), "granted": Decimal("2000.50"),
                                   "paid": Decimal("1200.50"), "remaining": Decimal("9999.50")}  # fmt: skip
    children = {r["org"].pk: r for r in data["children"]}
    assert children[cast.chonganssi.pk]["approved"] == 2
    assert children[cast.chonganssi.pk]["budget"] == Decimal("2000.00")
    assert children[cast.guangyi.pk]["proposed"] == 1
    later = timezone.localdate() + dt.timedelta(days=30)
    assert services.report(cast.liangxi, today=later)["follow_ups_overdue"] == 2


def test_hardship_summary_for_dashboards(cast, approved, fund):
    case = approved()
    warmth = fund("5000.00")
    grant = services.grant_aid(cast.district_cadre, case, warmth, services.GrantData("300", "慰问"))
    services.pay_grant(cast.district_cadre, grant)
    summary = services.hardship_summary(cast.wuxi.path)
    assert summary["open_by_level"]["relative"] == 1 and summary["open_total"] == 1
    assert summary["funds"]["budget"] == Decimal("5000.00")
    assert summary["funds"]["granted"] == summary["funds"]["paid"] == Decimal("300.00")
    assert summary["funds"]["remaining"] == Decimal("4700.00")
    assert services.hardship_summary(cast.nanjing.path)["open_total"] == 0


def test_report_page_and_org_counter(client, cast, approved, fund):
    approved()
    fund()
    client.force_login(cast.district_cadre)
    page = client.get(reverse("assistance:report") + f"?org={cast.liangxi.code}").content.decode()
    assert "困难职工帮扶统计" in page and "10000.00" in page
    assert services.open_case_totals(cast.liangxi.path, len(cast.chonganssi.path)) == {
        cast.chonganssi.path: 1
    }


def test_demo_seeder_is_idempotent(db):
    from unionhome.orgs.demo import seed_demo

    seed_demo()
    first = HardshipCase.objects.count()
    assert first >= 5
    assert HardshipCase.objects.filter(status="approved").exists()
    assert HardshipCase.objects.filter(status="exited").exists()
    seed_demo()
    assert HardshipCase.objects.count() == first
    assert Demand.objects.exists()


def test_list_page_query_count_does_not_grow_with_files(
    client, cast, propose, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.street_cadre)
    propose(seq=61)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("assistance:list"))
    for seq in (63, 65, 67, 69):
        propose(seq=seq)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("assistance:list")).content.decode()
    assert page.count('class="demand-row case-row') == 5


def test_overdue_reverification_is_listed_for_the_subtree(client, cast, approved):
    import time_machine

    case = approved()
    later = case.reverify_due + dt.timedelta(days=2)
    with time_machine.travel(dt.datetime.combine(later, dt.time(10), tzinfo=dt.UTC)):
        client.force_login(cast.street_cadre)  # a session from a year ago has expired
        page = client.get(reverse("assistance:follow_ups")).content.decode()
    assert case.code in page.split('id="reverify"')[1]
    client.force_login(cast.other_street_cadre)
    assert 'id="reverify"' not in client.get(reverse("assistance:follow_ups")).content.decode()
