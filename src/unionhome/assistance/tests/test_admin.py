"""The admin keeps thresholds and funds; a budget cannot drop below what is already granted."""

from decimal import Decimal

from django.urls import reverse

from unionhome.assistance import services
from unionhome.assistance.models import RegionalThreshold


def test_admin_adds_a_threshold(client, cast):
    client.force_login(cast.root)
    response = client.post(reverse("admin:assistance_regionalthreshold_add"), {
        "region_code": "320205", "year": 2026, "minimum_living": "1250.00",
        "low_income_line": "1875.00", "note": "锡山区",
    })  # fmt: skip
    assert response.status_code == 302
    assert RegionalThreshold.objects.filter(region_code="320205").exists()


def test_admin_refuses_a_budget_below_what_is_granted(client, cast, approved, fund):
    case = approved()
    warmth = fund("1000.00")
    services.grant_aid(cast.district_cadre, case, warmth, services.GrantData("600", "慰问"))
    client.force_login(cast.root)
    url = reverse("admin:assistance_fund_change", args=[warmth.pk])
    assert client.get(url).status_code == 200
    data = {"org": cast.liangxi.pk, "year": warmth.year, "kind": "warmth", "name": "",
            "budget": "500.00"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "预算不能低于已安排的金额" in response.content.decode()
    warmth.refresh_from_db()
    assert warmth.budget == Decimal("1000.00")
    data["budget"] = "800.00"
    assert client.post(url, data).status_code == 302
    warmth.refresh_from_db()
    assert (warmth.budget, warmth.granted) == (Decimal("800.00"), Decimal("600.00"))


def test_admin_case_list_is_scoped(client, cast, propose):
    from django.contrib.auth.models import Permission

    case = propose()
    view = Permission.objects.get(codename="view_hardshipcase")
    url = reverse("admin:assistance_hardshipcase_changelist")
    for user, sees in ((cast.street_cadre, True), (cast.outsider, False)):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.add(view)
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert (case.code in response.content.decode()) is sees
