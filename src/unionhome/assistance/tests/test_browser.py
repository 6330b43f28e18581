"""The hardship loop in a phone browser: a cadre opens a file from a hardship demand, the county
approves, the first follow-up becomes due, a grant is paid and the fund report shows it.

Debian's Chromium driven by Playwright against `live_server`; screenshots land in
test-artifacts/hardship-*.png (git-ignored)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from unionhome.assistance.models import CaseStatus, Fund, Grant, HardshipCase, RegionalThreshold
from unionhome.conftest import TIMEOUT_MS
from unionhome.testing.browser import PHONE, assert_fits_phone
from unionhome.testing.personas import PASSWORD, make_id_number

from .conftest import YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORY = (
    "我丈夫患尿毒症每周透析三次，我一个人打零工养家，孩子读高中，家里实在困难，希望工会帮帮我们。"
)


def _page(browser):
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').tap()
    page.wait_for_url(re.compile(r"/demands/"))


def _open_action(page, action: str):
    box = page.locator(f"#action-{action}")
    box.locator(":scope > summary").tap()
    expect(box).to_have_attribute("open", "")
    return box


def test_demand_to_paid_grant_on_a_phone(browser, live_server, cast):
    from unionhome.demands import intake as demand_intake

    base = live_server.url
    RegionalThreshold.objects.create(region_code="320213", year=YEAR,
                                     minimum_living=Decimal("1250.00"),
                                     low_income_line=Decimal("1875.00"))  # fmt: skip
    fund = Fund.objects.create(org=cast.liangxi, year=YEAR, kind="warmth",
                               budget=Decimal("50000.00"))  # fmt: skip
    demand = demand_intake.submit_demand(demand_intake.Intake(
        description=STORY, category="hardship", employer_name="无锡恒达精密机械有限公司",
        contact_name="吴晓梅", contact_phone="13955556666", address="无锡市梁溪区崇安寺街道1号",
    ), channel="web")  # fmt: skip
    assert demand.org_id == cast.hengda.pk

    # 1. The enterprise union's cadre opens a file from the demand; it comes pre-filled.
    cadre = _page(browser)
    _log_in(cadre, base, cast.enterprise_cadre.username)
    cadre.goto(f"{base}/demands/{demand.code}/")
    cadre.locator("#open-hardship").tap()
    cadre.wait_for_url(re.compile(r"/assistance/new/"))
    form = cadre.locator("#case-form")
    expect(form.locator("#id_name")).to_have_value("吴晓梅")
    expect(form.locator("#id_phone")).to_have_value("13955556666")
    form.locator("#id_id_number").fill(make_id_number(seq=42, birth="19850506", male=False))
    form.locator("#id_monthly_income").fill("3000.00")
    form.locator('input[name="causes"][value="illness"]').check()
    form.locator("#id_housing").select_option("rent")
    form.locator("#id_m-0-age").fill("40")
    form.locator("#id_m-0-employment").select_option("flexible")
    form.locator("#id_m-1-relation").select_option("spouse")
    form.locator("#id_m-1-name").fill("张大勇")
    form.locator("#id_m-1-age").fill("42")
    form.locator("#id_m-1-health").select_option("serious")
    form.locator("#id_m-1-employment").select_option("unable")
    assert_fits_phone(cadre, "hardship-form")
    form.locator("button[type=submit]").tap()
    cadre.wait_for_url(re.compile(r"/assistance/[A-Z0-9-]+/$"))
    expect(cadre.locator("#status")).to_have_text("待审批")
    expect(cadre.locator("#demand-link")).to_have_text(demand.code)
    expect(cadre.locator("#income")).to_have_text("***")
    case = HardshipCase.objects.get(demand=demand)
    assert case.assessed_level == "deep"  # 1500 per head, a seriously ill spouse
    assert_fits_phone(cadre, "hardship-proposed")

    # 2. The county union approves.
    county = _page(browser)
    _log_in(county, base, cast.district_cadre.username)
    county.goto(f"{base}/assistance/{case.code}/")
    box = _open_action(county, "approve")
    box.locator("textarea").fill("材料齐全，同意纳入深度困难。")
    box.locator("button[type=submit]").tap()
    expect(county.locator("#status")).to_have_text("在档帮扶")
    expect(county.locator("#level")).to_have_text("深度困难")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED

    # 3. The paired cadre sees the first follow-up due.
    cadre.goto(f"{base}/assistance/follow-ups/")
    row = cadre.locator(f'#mine li.case-row[data-code="{case.code}"]')
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text("即将到期")
    assert_fits_phone(cadre, "hardship-follow-ups")

    # 4. The county grants 送温暖 and marks it paid.
    county.goto(f"{base}/assistance/{case.code}/")
    box = _open_action(county, "grant")
    box.locator("#id_fund").select_option(str(fund.pk))
    box.locator("#id_amount").fill("2000.50")
    box.locator("#id_purpose").fill("春节送温暖慰问金")
    box.locator("button[type=submit]").tap()
    grant_row = county.locator("li.grant-row").first
    expect(grant_row.locator(".badge")).to_have_text("待发放")
    grant_row.locator("button.pay").tap()
    expect(county.locator("li.grant-row").first.locator(".badge")).to_have_text("已发放")
    assert_fits_phone(county, "hardship-detail")
    grant = Grant.objects.get()
    assert (grant.amount, grant.payment_status) == (Decimal("2000.50"), "paid")

    # 5. The fund report shows it.
    county.goto(f"{base}/assistance/report/?org={cast.liangxi.code}")
    fund_row = county.locator(f'li.fund-row[data-code="{fund.code}"]')
    expect(fund_row.locator(".paid")).to_have_text("2000.50")
    expect(fund_row.locator(".remaining")).to_have_text("47999.50")
    expect(county.locator("#approved-total")).to_have_text("1")
    assert_fits_phone(county, "hardship-report")
