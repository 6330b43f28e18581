"""The dashboard on a phone in a real browser (Debian's Chromium via Playwright): nothing
overflows sideways, charts draw with the vendored ECharts, and a chart switches to its table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from unionhome.conftest import TIMEOUT_MS
from unionhome.demands import services as ds
from unionhome.testing.browser import PHONE, assert_fits_phone
from unionhome.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_cadre_reads_the_dashboard_on_a_phone_and_switches_a_chart_to_its_table(
    browser, live_server, cast, submit
):
    for n, employer in enumerate(["无锡恒达精密机械有限公司", "无锡瑞丰纺织有限公司"]):
        submit(n, employer)
    ds.escalate_demand(cast.root, submit(5), "需要上级协调。")
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(cast.city_cadre.username)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').tap()
    expect(page).to_have_url(re.compile(r"/demands/$"))  # a cadre lands on the inbox
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/dashboards/?org={cast.liangxi.code}")
    expect(page.locator('[data-card="open"] b')).to_have_text("3")
    expect(page.locator('[data-card="escalated"] b')).to_have_text("1")

    children = page.locator("#chart-children")
    # With JavaScript the chart is drawn (a canvas inside) and the table is hidden.
    expect(children.locator(".chart-canvas canvas")).to_have_count(1)
    expect(children.locator(".chart-table")).to_be_hidden()
    assert_fits_phone(page, "dashboard-phone")

    children.locator(".chart-toggle").tap()
    expect(children.locator(".chart-table")).to_be_visible()
    expect(children.locator(".chart-canvas")).to_be_hidden()
    expect(children.locator(".chart-toggle")).to_have_text("查看图表")
    rows = children.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("th")).to_have_text(cast.chonganssi.name)
    assert_fits_phone(page, "dashboard-phone-table")

    # Drill down: a child's name opens its own dashboard.
    rows.first.locator("th a").tap()
    expect(page).to_have_url(re.compile(rf"org={cast.chonganssi.code}"))
    expect(page.locator("h1")).to_contain_text(cast.chonganssi.name)
    assert errors == []
    context.close()
