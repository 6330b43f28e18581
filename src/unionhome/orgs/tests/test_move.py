"""Moving an org re-parents its whole subtree and rewrites every denormalised org_path, atomically."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from unionhome.core.models import AuditEvent, Role
from unionhome.orgs import services
from unionhome.orgs.models import Org


def subtree_names(org):
    return set(Org.objects.get_descendants(org, include_self=True).values_list("name", flat=True))


def test_move_carries_the_subtree_and_every_scoped_row(cast):
    names_before = subtree_names(cast.chonganssi)
    moved = services.move_org(cast.root, cast.chonganssi, cast.nanjing)
    assert Org.objects.get_parent(moved).pk == cast.nanjing.pk
    assert subtree_names(moved) == names_before
    for role in Role.objects.select_related("org"):
        assert role.org_path == role.org.path, role
    # The street and enterprise cadres now sit under 南京: Wuxi no longer covers them.
    city_view = set(Org.objects.visible_to(cast.city_cadre).values_list("pk", flat=True))
    assert cast.hengda.pk not in city_view
    assert cast.hengda.pk in set(Org.objects.visible_to(cast.outsider).values_list("pk", flat=True))
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_move_is_audited_with_the_rows_rewritten(cast):
    services.move_org(cast.root, cast.chonganssi, cast.nanjing)
    event = AuditEvent.objects.get(action="org.move")
    assert event.detail["to"] == cast.nanjing.code
    # the street cadre's two roles and the enterprise cadre's one
    assert event.detail["rows_rewritten"]["core.role"] == 3


def test_under_its_own_descendant_is_refused(cast):
    with pytest.raises(ValidationError) as info:
        services.move_org(cast.root, cast.liangxi, cast.hengda)
    assert "自己或它的下级" in info.value.message_dict["parent"][0]
    with pytest.raises(ValidationError):
        services.move_org(cast.root, cast.liangxi, cast.liangxi)


def test_level_inversion_by_move_is_refused(cast):
    with pytest.raises(ValidationError):
        services.move_org(cast.root, cast.nanjing, cast.liangxi)


def test_a_failure_midway_leaves_tree_and_rows_untouched(cast, monkeypatch):
    paths_before = dict(Org.objects.values_list("pk", "path"))
    role_paths_before = dict(Role.objects.values_list("pk", "org_path"))

    def explode(old, new):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "rewrite_org_paths", explode)
    with pytest.raises(RuntimeError):
        services.move_org(cast.root, cast.chonganssi, cast.nanjing)
    assert dict(Org.objects.values_list("pk", "path")) == paths_before
    assert dict(Role.objects.values_list("pk", "org_path")) == role_paths_before


def test_moving_needs_admin_on_both_ends(cast):
    with pytest.raises(PermissionDenied):
        # the city cadre administers 无锡 but not 南京
        services.move_org(cast.city_cadre, cast.chonganssi, cast.nanjing)
    moved = services.move_org(cast.city_cadre, cast.hengda, cast.guangyi)
    assert Org.objects.get_parent(moved).pk == cast.guangyi.pk


def test_move_page_moves_and_reports_errors(client, cast):
    client.force_login(cast.city_cadre)
    response = client.post(f"/orgs/{cast.hengda.code}/move/", {"target": cast.ruifeng.code})
    assert response.status_code == 200
    assert "只能设" in response.content.decode()
    response = client.post(f"/orgs/{cast.hengda.code}/move/", {"target": "广益街道总工会"})
    assert response.status_code == 302
    assert Org.objects.get_parent(Org.objects.get(pk=cast.hengda.pk)).pk == cast.guangyi.pk


def test_api_move(client, cast):
    client.force_login(cast.city_cadre)
    response = client.post(
        f"/api/v1/orgs/{cast.hengda.code}/move",
        json.dumps({"parent": cast.guangyi.code}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["depth"] == cast.guangyi.depth + 1
    response = client.post(
        f"/api/v1/orgs/{cast.hengda.code}/move",
        json.dumps({"parent": cast.nanjing.code}),
        content_type="application/json",
    )
    assert response.status_code == 404  # 南京 is outside the city cadre's tree
