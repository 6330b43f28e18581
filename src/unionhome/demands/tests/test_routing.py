"""Routing: employer union first, then admin rules, then region/address, then triage fallbacks."""

import pytest

from unionhome.demands import routing
from unionhome.demands.models import RoutingRule, RoutingRuleKind
from unionhome.orgs import services as org_services


@pytest.fixture
def wuxi_city(settings):
    settings.UNIONHOME_HOME_CITY = "无锡市"


def test_known_employer_goes_to_its_union(cast):
    decision = routing.route(employer_name="无锡恒达精密机械有限公司")
    assert decision.org == cast.hengda and decision.method == "employer"
    assert "已建工会" in decision.reason


@pytest.mark.parametrize(
    "typed", ["無錫恆達精密機械有限公司", "无锡 恒达精密机械 有限公司", "恒达精密机械有限公司"]
)
def test_employer_match_survives_traditional_spacing_and_a_missing_city(cast, typed):
    assert routing.route(employer_name=typed).org == cast.hengda


def test_employer_without_its_city_is_an_indexed_prefix_lookup(cast):
    """ "Ends with what the worker typed" reads the reversed key's index, not every org."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert cast.hengda.employer_key_reversed == cast.hengda.employer_key[::-1]
    with CaptureQueriesContext(connection) as queries:
        assert routing.match_employer("恒达精密机械有限公司") == cast.hengda
    sql = " ".join(q["sql"] for q in queries)
    assert "employer_key_reversed" in sql
    assert "%恒达" not in sql  # no leading wildcard: the old `endswith` read every org


def test_ambiguous_short_employer_name_is_not_guessed(cast):
    org_services.create_org(cast.root, parent=cast.guangyi, name="江阴恒达精密机械有限公司工会",
                            level="grassroots", employer_name="江阴恒达精密机械有限公司")  # fmt: skip
    decision = routing.route(employer_name="恒达精密机械有限公司", region_code="320213")
    assert decision.method == "region"


def test_employer_with_unions_in_two_streets_goes_to_their_common_superior(cast):
    """Without a place to tell the sites apart, the lowest union above both sorts it out."""
    org_services.create_org(cast.root, parent=cast.guangyi, name="恒达精密机械广益厂区工会",
                            level="grassroots", employer_name="无锡恒达精密机械有限公司")  # fmt: skip
    decision = routing.route(employer_name="无锡恒达精密机械有限公司")
    assert decision.org == cast.liangxi and decision.method == "employer"
    assert "2个工会" in decision.reason and "共同上级" in decision.reason
    assert routing.match_employer("无锡恒达精密机械有限公司") is None
    # A street named in the address still says which site it is.
    at_guangyi = routing.route(employer_name="无锡恒达精密机械有限公司", region_code="320213",
                               address="梁溪区广益街道")  # fmt: skip
    assert at_guangyi.org == cast.guangyi and at_guangyi.method == "address"


def test_namesakes_with_only_the_top_in_common_follow_the_default_rule(cast):
    org_services.create_org(cast.root, parent=cast.national, name="外省恒达精密机械有限公司工会",
                            level="grassroots", employer_name="无锡恒达精密机械有限公司")  # fmt: skip
    RoutingRule.objects.create(kind=RoutingRuleKind.DEFAULT, target=cast.wuxi)
    assert routing.route(employer_name="无锡恒达精密机械有限公司").org == cast.wuxi


def test_region_code_goes_to_the_county_triage_queue(cast):
    decision = routing.route(employer_name="某不知名小作坊", region_code="320213")
    assert decision.org == cast.liangxi and decision.method == "region"
    assert "待分拣" in decision.reason


def test_street_named_in_the_address_takes_it(cast):
    decision = routing.route(region_code="320213", address="梁溪区崇安寺附近的一家饭店")
    assert decision.org == cast.chonganssi and decision.method == "address"


def test_region_is_recognised_from_the_address_text(cast, wuxi_city):
    decision = routing.route(address="江苏省无锡市梁溪区广益街道某工地")
    assert decision.org == cast.guangyi
    assert decision.region_code == "320213"


def test_home_city_resolves_an_ambiguous_district(db, settings):
    settings.UNIONHOME_HOME_CITY = ""
    assert routing.recognise_region("朝阳区建国路") == "220104"  # the library alone: Changchun
    settings.UNIONHOME_HOME_CITY = "北京市"
    assert routing.recognise_region("朝阳区建国路") == "110105"
    # an address that names its city keeps it, whatever the home city
    assert routing.recognise_region("吉林省长春市朝阳区重庆路") == "220104"


def test_a_batch_of_addresses_reads_as_each_one_alone(db, settings):
    from unionhome.text.address import recognise_regions

    settings.UNIONHOME_HOME_CITY = "北京市"
    addresses = ["朝阳区建国路", "吉林省长春市朝阳区重庆路", "江苏省无锡市梁溪区广益街道",
                 "梁溪区中山路8号", "某个不存在的地方", " 朝阳区建国路 ", ""]  # fmt: skip
    batch = recognise_regions(addresses)
    assert batch == {a: routing.recognise_region(a) for a in addresses if a}
    assert batch["朝阳区建国路"] == batch[" 朝阳区建国路 "] == "110105"
    assert batch["吉林省长春市朝阳区重庆路"] == "220104" and batch["某个不存在的地方"] == ""


def test_a_batch_routes_as_one_by_one_with_each_lookup_made_once(cast, wuxi_city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submissions = [
        {"employer_name": "无锡恒达精密机械有限公司", "address": f"梁溪区中山路{n}号"} for n in range(5)
    ] + [
        {"employer_name": "某不知名小作坊", "address": f"江苏省无锡市梁溪区广益街道{n}号"}
        for n in range(5)
    ] + [{"employer_name": "某不知名小作坊", "region_code": "320213", "address": f"解放南路{n}号"}
         for n in range(5)]  # fmt: skip
    alone = [routing.route(**s) for s in submissions]
    batch = routing.RoutingBatch(s["address"] for s in submissions)
    with CaptureQueriesContext(connection) as queries:
        together = [batch.route(**s) for s in submissions]
    assert [(d.org, d.reason, d.method) for d in together] == [
        (d.org, d.reason, d.method) for d in alone
    ]
    assert [d.org for d in together[::5]] == [cast.hengda, cast.guangyi, cast.liangxi]
    assert len(queries) <= 6  # employer, its region, county, streets: once each, not per row


def test_admin_rules_route_by_keyword(cast):
    RoutingRule.objects.create(
        kind=RoutingRuleKind.ADDRESS_KEYWORD, pattern="广益佳苑", target=cast.guangyi
    )
    RoutingRule.objects.create(kind=RoutingRuleKind.EMPLOYER_KEYWORD, pattern="美团", target=cast.wuxi,
                               priority=5)  # fmt: skip
    assert routing.route(address="广益佳苑3号楼").org == cast.guangyi
    decision = routing.route(employer_name="美团外卖梁溪站")
    assert decision.org == cast.wuxi and decision.method == "rule"


def test_cached_rules_hand_over_a_freshly_read_target(cast):
    """Rules are kept per process, their target org is not: a demand takes its scoping path from
    it, and another process may have moved or renamed it since (no signal reaches this one)."""
    from unionhome.orgs.models import Org

    RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS_KEYWORD, pattern="广益佳苑",
                               target=cast.guangyi)  # fmt: skip
    assert routing.route(address="广益佳苑1号楼").org.name == cast.guangyi.name
    Org.objects.filter(pk=cast.guangyi.pk).update(name="广益街道总工会（新）")  # no signal
    assert routing.route(address="广益佳苑2号楼").org.name == "广益街道总工会（新）"
    Org.objects.filter(pk=cast.guangyi.pk).update(is_active=False)
    assert routing.route(address="广益佳苑3号楼").method != "rule"


def test_default_rule_catches_the_rest(cast):
    RoutingRule.objects.create(kind=RoutingRuleKind.DEFAULT, target=cast.wuxi)
    decision = routing.route(employer_name="不知道", address="不清楚")
    assert decision.org == cast.wuxi and decision.method == "default"


def test_without_any_rule_the_top_of_the_tree_triages(cast):
    decision = routing.route(employer_name="不知道")
    assert decision.org == cast.national and decision.method == "default"


def test_inactive_union_is_skipped(cast):
    org_services.update_org(cast.root, cast.hengda, is_active=False)
    assert (
        routing.route(employer_name="无锡恒达精密机械有限公司", region_code="320213").org
        == cast.liangxi
    )


def test_routing_decision_is_on_the_timeline(cast, submit):
    demand = submit()
    event = demand.events.get(kind="routed")
    assert event.to_org == cast.hengda and "已建工会" in event.reason
