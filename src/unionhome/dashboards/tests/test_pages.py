"""The dashboard page: scoping, and figures that equal counts taken directly from the rows."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from unionhome.dashboards import services
from unionhome.demands import services as ds
from unionhome.demands.models import Demand
from unionhome.members.models import Membership
from unionhome.orgs.models import Org

pytestmark = pytest.mark.django_db
URL = reverse("dashboards:dashboard")


def login(client, user):
    client.force_login(user)
    return client


def card(html: str, key: str) -> str:
    match = re.search(rf'data-card="{key}">\s*<b>([^<]*)</b>', html)
    assert match, key
    return match.group(1).strip()


@pytest.fixture
def busy(cast, submit):
    """Demands in several states in both streets, one overdue, one routed to the root (no
    employer, no region): inside Wuxi 2 open, 1 overdue, 1 escalated, 1 resolved and rated."""
    demands = [submit(n, employer) for n, employer in enumerate(
        ["无锡恒达精密机械有限公司", "无锡瑞丰纺织有限公司", "无锡恒达精密机械有限公司", ""])]  # fmt: skip
    ds.accept_demand(cast.root, demands[0])
    ds.resolve_demand(cast.root, demands[0], "已协调企业补发工资。")
    ds.rate_demand(demands[0].tracking_code, rating=4, solved=True)
    ds.escalate_demand(cast.root, demands[1], "需要上级协调。")
    Demand.objects.filter(pk=demands[2].pk).update(
        ack_deadline=timezone.now() - dt.timedelta(days=2),
        resolve_deadline=timezone.now() - dt.timedelta(days=1),
    )  # a raw update bypasses the roll-ups; rebuild as an operator would after such a fix
    from unionhome.dashboards import rollups

    rollups.rebuild()
    return demands


def test_street_cadre_cannot_open_the_city_dashboard(cast, client):
    login(client, cast.street_cadre)
    assert client.get(URL, {"org": cast.wuxi.code}).status_code == 404
    assert client.get(URL, {"org": cast.guangyi.code}).status_code == 404
    assert client.get(URL, {"org": "NO-SUCH"}).status_code == 404
    assert client.get(URL, {"org": cast.hengda.code}).status_code == 200


def test_outsider_gets_404_for_another_city_and_anonymous_goes_to_login(cast, client):
    assert client.get(URL).status_code == 302
    login(client, cast.outsider)
    assert client.get(URL, {"org": cast.wuxi.code}).status_code == 404
    response = client.get(URL)
    assert response.status_code == 200 and response.context["board"].org == cast.nanjing


def test_default_org_is_the_viewers_top_org(cast, client):
    login(client, cast.street_cadre)
    assert client.get(URL).context["board"].org == cast.chonganssi


def test_city_figures_on_the_page_equal_counts_from_the_rows(cast, client, busy):
    login(client, cast.city_cadre)
    response = client.get(URL, {"org": cast.wuxi.code, "period": "30"})
    html = response.content.decode()
    board = response.context["board"]
    demands = Demand.objects.in_subtree(cast.wuxi.path)
    start = timezone.make_aware(dt.datetime.combine(board.start, dt.time.min))
    assert card(html, "open") == str(demands.open().count()) == "2"
    assert card(html, "overdue") == str(demands.overdue(board.overdue_at).count()) == "1"
    assert card(html, "escalated") == str(demands.open().filter(escalated=True).count()) == "1"
    assert card(html, "submitted") == str(demands.filter(created_at__gte=start).count()) == "3"
    assert card(html, "resolved") == str(demands.filter(resolved_at__gte=start).count()) == "1"
    assert card(html, "satisfaction") == "4.0"
    members = Membership.objects.in_subtree(cast.wuxi.path).filter(status="active").count()
    assert card(html, "members") == str(members) == "5"
    assert card(html, "joined") == str(members)


def test_children_table_rows_equal_each_childs_rows_and_link_down(cast, client, busy):
    login(client, cast.city_cadre)
    html = client.get(URL, {"org": cast.liangxi.code}).content.decode()
    board = services.build_dashboard(cast.city_cadre, cast.liangxi)
    children = board.chart("children")
    assert len(children.rows) == 2
    for link, row in children.link_rows:
        assert f'href="?org={link}&amp;period=30"' in html
        subtree = Demand.objects.in_subtree(Org.objects.get(code=link).path)
        assert row[1:4] == [
            subtree.open().count(),
            subtree.overdue(board.overdue_at).count(),
            subtree.open().filter(escalated=True).count(),
        ]
    assert sum(row[1] for row in children.rows) == 2  # the figures are not all zero


def test_excel_download_equals_the_table_on_the_page(cast, client, busy):
    login(client, cast.city_cadre)
    response = client.get(reverse("dashboards:export"),
                          {"org": cast.wuxi.code, "period": "7", "chart": "children"})  # fmt: skip
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    board = services.build_dashboard(cast.city_cadre, cast.wuxi, "7")
    chart = board.chart("children")
    assert rows[0] == [str(c) for c in chart.columns]
    assert rows[1:] == chart.rows
    html = client.get(URL, {"org": cast.wuxi.code, "period": "7"}).content.decode()
    table = html.split('id="chart-children"')[1].split("</table>")[0]
    cells = re.findall(r"<t[dh][^>]*>(?:<a[^>]*>)?([^<]*)", table.split("<tbody>")[1])
    assert cells == [str(c) for row in chart.rows for c in row]


def test_whole_workbook_has_a_sheet_per_chart_and_unknown_chart_is_404(cast, client, busy):
    login(client, cast.city_cadre)
    url = reverse("dashboards:export")
    book = load_workbook(io.BytesIO(client.get(url, {"org": cast.wuxi.code}).content))
    assert book.sheetnames == ["诉求趋势", "会员增减", "下级组织"]
    assert client.get(url, {"org": cast.wuxi.code, "chart": "nope"}).status_code == 404
    login(client, cast.street_cadre)
    assert client.get(url, {"org": cast.wuxi.code}).status_code == 404


def test_trend_chart_sums_to_the_period_cards(cast, busy):
    board = services.build_dashboard(cast.root, cast.national, "90")
    trend = board.chart("trend")
    assert len(trend.rows) == 90
    cards = {c.key: c.value for c in board.cards}
    assert sum(r[1] for r in trend.rows) == cards["submitted"] == 4
    assert sum(r[2] for r in trend.rows) == cards["resolved"] == 1
    yearly = services.build_dashboard(cast.root, cast.national, "365").chart("trend")
    assert len(yearly.rows) in (12, 13)  # by month


def _hardship_section(client, org) -> str:
    html = client.get(URL, {"org": org.code}).content.decode()
    return html.split('data-section="hardship"')[1].split("</section>")[0]


def test_hardship_section_shows_a_dash_when_no_summary_is_provided(cast, client, monkeypatch):
    from unionhome.dashboards import sections

    monkeypatch.setattr(sections, "hardship_summary", lambda path: None)
    login(client, cast.city_cadre)
    assert "<dd>—</dd>" in _hardship_section(client, cast.wuxi)


def test_hardship_section_equals_the_assistance_rows(cast, client):
    from decimal import Decimal

    from unionhome.assistance import services as ass
    from unionhome.assistance.models import (
        CaseStatus,
        Fund,
        FundKind,
        HardshipCase,
        RegionalThreshold,
    )
    from unionhome.testing.personas import make_id_number

    fund = Fund.objects.create(
        org=cast.liangxi, year=timezone.localdate().year, kind=FundKind.values[0],
        name="送温暖", budget=Decimal("5000.00"),
    )  # fmt: skip
    Fund.objects.create(
        org=cast.nanjing, year=fund.year, kind=fund.kind, name="送温暖", budget=Decimal("700.00")
    )  # nanjing is outside 无锡: not counted
    RegionalThreshold.objects.create(
        region_code="320200", year=fund.year, minimum_living=Decimal("1100.00"),
        low_income_line=Decimal("1650.00"),
    )  # fmt: skip
    member = ass.MemberData
    data = ass.CaseData(
        name="周建国", id_number=make_id_number(seq=7, birth="19720315"),
        monthly_income="1000.00", causes=["illness"], housing="own",
        members=[member("self", "周建国", 52, "chronic", "unemployed")], phone="13912345678",
        address="无锡市梁溪区中山路88号", situation="本人患慢性肾病，需长期服药。",
    )  # fmt: skip
    case = ass.propose_case(cast.enterprise_cadre, cast.hengda, data)
    ass.approve_case(cast.district_cadre, case, "同意")
    login(client, cast.city_cadre)
    section = _hardship_section(client, cast.wuxi)
    open_cases = HardshipCase.objects.in_subtree(cast.wuxi.path).filter(status=CaseStatus.APPROVED)
    assert open_cases.count() == 1
    assert "1</a></dd>" in section
    assert ">5000.00</a></dd>" in section
    assert "<dd>5000.00</dd>" in section  # remaining: nothing granted yet
    assert "700.00" not in section


def test_api_returns_the_same_cards(cast, client, busy):
    login(client, cast.city_cadre)
    data = client.get(f"/api/v1/dashboards/{cast.wuxi.code}").json()
    assert {c["key"]: c["value"] for c in data["cards"]}["open"] == 2
    assert client.get(f"/api/v1/dashboards/{cast.nanjing.code}").status_code == 404


def test_national_page_reads_a_fixed_number_of_queries(
    cast, client, busy, django_assert_max_num_queries
):
    login(client, cast.root)
    with django_assert_max_num_queries(20):
        client.get(URL, {"org": cast.national.code, "period": "365"})
