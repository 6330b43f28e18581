"""Bad org input is refused with a clear message, in the service, the form, the admin and the API,
and nothing is half-written."""

import json

import pytest
from django.core.exceptions import ValidationError

from unionhome.orgs import services
from unionhome.orgs.models import Org

GOOD_EMPLOYER_CODE = "91350100M000100Y43"


def refused(actor, parent, **fields):
    before = Org.objects.count()
    with pytest.raises(ValidationError) as info:
        services.create_org(actor, parent=parent, **fields)
    assert Org.objects.count() == before
    return info.value.message_dict


def test_city_union_under_a_county_union_is_refused(cast):
    errors = refused(cast.root, cast.liangxi, name="某市总工会", level="city")
    assert "不能设在" in errors["level"][0]


def test_only_branches_and_groups_go_under_a_grassroots_union(cast):
    errors = refused(cast.root, cast.hengda, name="子公司工会", level="grassroots")
    assert "分工会" in errors["level"][0]
    services.create_org(cast.root, parent=cast.hengda, name="二部分工会", level="branch")
    services.create_org(cast.root, parent=cast.hengda, name="第三工会小组", level="group")


def test_nothing_goes_under_a_union_group(cast):
    group = services.create_org(cast.root, parent=cast.hengda_branch, name="小组", level="group")
    errors = refused(cast.root, group, name="更小", level="group")
    assert "不能再设组织" in errors["level"][0]


def test_unknown_level_is_refused(cast):
    errors = refused(cast.root, cast.liangxi, name="某工会", level="village")
    assert "level" in errors


def test_a_local_union_leads_a_federation_of_its_own_level_but_not_a_local_one(cast):
    services.create_org(
        cast.root, parent=cast.wuxi, name="无锡市快递行业工会联合会", level="city", kind="industry"
    )
    refused(cast.root, cast.wuxi, name="另一个市总", level="city", kind="local")


def test_enterprise_kind_only_below_grassroots_level(cast):
    errors = refused(cast.root, cast.wuxi, name="企业", level="county", kind="enterprise")
    assert "kind" in errors


def test_invalid_region_and_credit_codes_are_refused(cast):
    errors = refused(
        cast.root, cast.chonganssi, name="某企业工会", level="grassroots", kind="enterprise",
        region_code="32021X", employer_credit_code="91350100M000100Y44",
        legal_person_code=GOOD_EMPLOYER_CODE,
    )  # fmt: skip
    assert "6位数字" in errors["region_code"][0]
    assert "校验位" in errors["employer_credit_code"][0]
    assert "以8开头" in errors["legal_person_code"][0]


def test_region_outside_the_parents_region_is_refused(cast):
    errors = refused(
        cast.root, cast.wuxi, name="朝阳区总工会", level="county", region_code="110105"
    )
    assert "不在上级组织所在区域" in errors["region_code"][0]


def test_region_code_must_match_the_level_of_a_local_union(cast):
    errors = refused(cast.root, cast.province, name="某市总", level="city", region_code="320213")
    assert "region_code" in errors


def test_one_union_per_employer(cast):
    services.create_org(
        cast.root, parent=cast.chonganssi, name="甲公司工会", level="grassroots",
        kind="enterprise", employer_credit_code=GOOD_EMPLOYER_CODE,
    )  # fmt: skip
    errors = refused(
        cast.root, cast.guangyi, name="甲公司第二工会", level="grassroots", kind="enterprise",
        employer_credit_code=GOOD_EMPLOYER_CODE.lower(),
    )  # fmt: skip
    assert "甲公司工会" in errors["employer_credit_code"][0]


def test_changing_level_that_would_orphan_children_is_refused(cast):
    with pytest.raises(ValidationError) as info:
        services.update_org(cast.root, cast.liangxi, level="grassroots")
    assert "现有下级组织" in info.value.message_dict["level"][0]
    cast.liangxi.refresh_from_db()
    assert cast.liangxi.level == "county"


def test_only_an_admin_covering_the_parent_may_create(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_org(cast.street_cadre, parent=cast.guangyi, name="x", level="grassroots")
    with pytest.raises(PermissionDenied):
        # a cadre role is not an admin role
        services.create_org(cast.district_cadre, parent=cast.liangxi, name="x", level="subdistrict")
    org = services.create_org(
        cast.street_cadre, parent=cast.chonganssi, name="新建企业工会", level="grassroots"
    )
    assert org.path.startswith(cast.chonganssi.path)


# --- the same rules through each door ----------------------------------------------------------
def test_form_shows_the_level_error_and_creates_nothing(client, cast):
    client.force_login(cast.street_cadre)
    before = Org.objects.count()
    response = client.post(
        f"/orgs/{cast.hengda.code}/add/",
        {"name": "子公司工会", "level": "grassroots", "kind": "enterprise",
         "worker_count": 0, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "只能设" in response.content.decode()
    assert Org.objects.count() == before


def test_form_creates_a_valid_child(client, cast):
    client.force_login(cast.street_cadre)
    response = client.post(
        f"/orgs/{cast.chonganssi.code}/add/",
        {"name": "无锡新瑞软件有限公司工会委员会", "level": "grassroots", "kind": "enterprise",
         "employer_credit_code": GOOD_EMPLOYER_CODE, "worker_count": 50,
         "is_active": "on"},
    )  # fmt: skip
    org = Org.objects.get(name="无锡新瑞软件有限公司工会委员会")
    assert response.status_code == 302
    assert response["Location"] == f"/orgs/{org.code}/"


def test_admin_shows_the_cycle_error_and_moves_nothing(client, cast):
    client.force_login(cast.root)
    url = f"/admin/orgs/org/{cast.liangxi.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data["parent"] = cast.hengda.pk
    data["is_active"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "不能把组织放到它自己或它的下级组织之下" in response.content.decode()
    cast.liangxi.refresh_from_db()
    assert Org.objects.get_parent(cast.liangxi).pk == cast.wuxi.pk


def test_admin_refuses_a_level_inversion(client, cast):
    client.force_login(cast.root)
    before = Org.objects.count()
    response = client.post(
        "/admin/orgs/org/add/",
        {"parent": cast.liangxi.pk, "name": "某市总工会", "level": "city", "kind": "local",
         "worker_count": 0, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "不能设在" in response.content.decode()
    assert Org.objects.count() == before


def test_admin_creates_through_the_service(client, cast):
    from unionhome.core.models import AuditEvent

    client.force_login(cast.root)
    response = client.post(
        "/admin/orgs/org/add/",
        {"parent": cast.guangyi.pk, "name": "无锡博远模具有限公司工会", "level": "grassroots",
         "kind": "enterprise", "worker_count": 10, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    org = Org.objects.get(name="无锡博远模具有限公司工会")
    assert Org.objects.get_parent(org).pk == cast.guangyi.pk
    assert AuditEvent.objects.filter(action="org.create", target_code=org.code).exists()


def test_api_refuses_bad_input_with_field_messages(client, cast):
    client.force_login(cast.street_cadre)
    before = Org.objects.count()
    response = client.post(
        "/api/v1/orgs",
        json.dumps({"parent": cast.chonganssi.code, "name": "某企业工会", "level": "grassroots",
                    "kind": "enterprise", "employer_credit_code": "91350100M000100Y44"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert "校验位" in body["errors"]["employer_credit_code"][0]
    assert Org.objects.count() == before


def test_api_refuses_a_level_inversion(client, cast):
    client.force_login(cast.city_cadre)
    response = client.post(
        "/api/v1/orgs",
        json.dumps({"parent": cast.liangxi.code, "name": "某市总工会", "level": "city"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "level" in response.json()["errors"]


def test_api_cannot_create_under_an_org_outside_the_subtree(client, cast):
    client.force_login(cast.street_cadre)
    response = client.post(
        "/api/v1/orgs",
        json.dumps({"parent": cast.guangyi.code, "name": "x", "level": "grassroots"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_edit_form_keeps_the_founding_date_in_the_browser_format(client, cast):
    """<input type="date"> only accepts yyyy-mm-dd; a localised value would show empty and the
    next save would erase the date."""
    import datetime as dt

    services.update_org(cast.root, cast.hengda, founded_on=dt.date(2001, 5, 4))
    client.force_login(cast.street_cadre)
    html = client.get(f"/orgs/{cast.hengda.code}/edit/").content.decode()
    assert 'value="2001-05-04"' in html
