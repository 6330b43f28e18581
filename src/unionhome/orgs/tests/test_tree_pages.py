"""The org-tree page shows each cadre exactly their subtree, with figures rolled up."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unionhome.orgs import services
from unionhome.orgs.models import Org


def codes_in(response):
    html = response.content.decode()
    return {org.code for org in Org.objects.all() if f'data-code="{org.code}"' in html}


def test_login_is_required(client, cast):
    response = client.get("/orgs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_street_cadre_sees_only_their_street_as_root(client, cast):
    client.force_login(cast.street_cadre)
    response = client.get("/orgs/")
    assert codes_in(response) == {cast.chonganssi.code}


def test_street_cadre_gets_404_for_other_street(client, cast):
    client.force_login(cast.street_cadre)
    for url in (f"/orgs/{cast.guangyi.code}/", f"/orgs/{cast.guangyi.code}/children/",
                f"/orgs/{cast.liangxi.code}/", f"/orgs/{cast.ruifeng.code}/edit/",
                f"/api/v1/orgs/{cast.guangyi.code}"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    # 404 alike for a code that does not exist: nothing tells "exists but not yours".
    assert client.get("/orgs/ZZZZ-ZZZZ/").status_code == 404


def test_children_partial_lists_children_with_subtree_member_totals(client, cast):
    client.force_login(cast.district_cadre)
    response = client.get(f"/orgs/{cast.liangxi.code}/children/", HTTP_HX_REQUEST="true")
    assert codes_in(response) == {cast.chonganssi.code, cast.guangyi.code}
    nodes = {n.org.code: n for n in services.tree_children(cast.district_cadre, cast.liangxi)}
    # 崇安寺: 恒达 3 members; 广益: 瑞丰 2
    assert nodes[cast.chonganssi.code].figure("members") == 3
    assert nodes[cast.guangyi.code].figure("members") == 2


def test_city_cadre_sees_the_whole_city_but_not_nanjing(client, cast):
    client.force_login(cast.city_cadre)
    assert codes_in(client.get("/orgs/")) == {cast.wuxi.code}
    assert client.get(f"/orgs/{cast.hengda.code}/").status_code == 200
    assert client.get(f"/orgs/{cast.nanjing.code}/").status_code == 404


def test_a_user_without_roles_sees_an_empty_tree(client, cast):
    client.force_login(cast.member)
    response = client.get("/orgs/")
    assert response.status_code == 200
    assert codes_in(response) == set()
    assert "联系上级工会管理员授权" in response.content.decode()


def test_search_is_scoped_and_understands_traditional_characters(client, cast):
    client.force_login(cast.street_cadre)
    found = client.get(
        "/orgs/", {"q": "恆達"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert "无锡恒达精密机械有限公司工会委员会" in found.content.decode()
    hidden = client.get(
        "/orgs/", {"q": "瑞豐"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert "瑞丰" not in hidden.content.decode()
    assert "没有匹配的组织" in hidden.content.decode()


def test_search_matches_fullwidth_input():
    from unionhome.text.normalise import normalise_for_search

    assert normalise_for_search("ＡＢＣ　公司") == "abc 公司"


@pytest.mark.parametrize("extra_children", [2, 12])
def test_tree_page_query_count_does_not_grow_with_children(client, cast, extra_children):
    for i in range(extra_children):
        services.create_org(cast.root, parent=cast.liangxi, name=f"街道{i}", level="subdistrict")
    client.force_login(cast.district_cadre)
    client.get(f"/orgs/{cast.liangxi.code}/children/")  # warm up session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/orgs/{cast.liangxi.code}/children/")
    assert response.status_code == 200
    # session, user, scope, org, children, then one GROUP BY per registered counter: constant
    # in the number of children
    from unionhome.core.registry import org_counters

    assert len(queries) <= 5 + len(org_counters()), [q["sql"] for q in queries]


def test_detail_page_shows_subtree_members_and_admin_actions(client, cast):
    client.force_login(cast.street_cadre)
    response = client.get(f"/orgs/{cast.chonganssi.code}/")
    html = response.content.decode()
    assert "新增下级组织" in html
    assert response.context["summary"]["members"] == 3
    client.force_login(cast.district_cadre)
    html = client.get(f"/orgs/{cast.chonganssi.code}/").content.decode()
    assert "新增下级组织" not in html  # a cadre role is not an admin role


def test_api_lists_only_visible_orgs(client, cast):
    client.force_login(cast.street_cadre)
    codes = {o["code"] for o in client.get("/api/v1/orgs").json()}
    assert codes == {cast.chonganssi.code, cast.hengda.code, cast.hengda_branch.code}
    found = client.get("/api/v1/orgs", {"q": "恆達"}).json()
    assert {o["code"] for o in found} == {cast.hengda.code, cast.hengda_branch.code}


def test_api_requires_authentication(client, cast):
    assert client.get("/api/v1/orgs").status_code == 401
