"""The issue's acceptance test, in a real phone browser (Debian's Chromium via Playwright): a
city cadre builds a digest for last month from the demo data, sees the wage-arrears cluster on
top, downloads the PDF (it opens and contains the cluster title), and no phone or ID number
appears in the page or the PDF. Screenshots land in test-artifacts/digest-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from unionhome.conftest import TIMEOUT_MS
from unionhome.digests.models import Digest
from unionhome.orgs.demo import DEMO_PASSWORD, seed_demo
from unionhome.testing.browser import PHONE, assert_fits_phone

from .pdftext import extract_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_OR_ID = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


def test_city_cadre_builds_last_months_digest_with_wage_arrears_on_top_and_a_clean_pdf(
    browser, live_server
):
    seed_demo()
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **PHONE)
    context.set_default_timeout(TIMEOUT_MS * 3)  # the build clusters the month's demands
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill("city_cadre")
    form.locator('input[name="password"]').fill(DEMO_PASSWORD)
    form.locator('button[type="submit"]').tap()
    expect(page).to_have_url(re.compile(r"/demands/$"))

    page.goto(f"{live_server.url}/digests/")
    page.locator("#new-digest").tap()
    expect(page).to_have_url(re.compile(r"/digests/new/$"))
    expect(page.locator("#id_org option:checked")).to_have_text(re.compile("无锡市总工会"))
    assert_fits_phone(page, "digest-new")
    page.get_by_role("button", name="生成").tap()
    expect(page).to_have_url(re.compile(r"/digests/[0-9A-Z-]+/$"))

    top = page.locator("#clusters li.cluster").first
    expect(top).to_have_attribute("data-rank", "1")
    expect(top.locator(".categories")).to_contain_text("工资报酬")
    title = top.locator(".cluster-title").inner_text()
    digest = Digest.objects.get()
    assert title == digest.clusters.get(rank=1).title
    assert_fits_phone(page, "digest-editor")
    body = page.locator("main").inner_text()
    assert not PHONE_OR_ID.search(body), PHONE_OR_ID.search(body)

    # Attach the complaint that carried a phone number as a case: it shows masked.
    top.locator("details.edit summary", has_text="典型案例").tap()
    top.locator(".case-list label", has_text="138****5678").first.locator("input").check()
    top.get_by_role("button", name="保存案例").tap()
    expect(page.locator("#clusters li.cluster").first.locator(".quote.case")).to_have_count(1)
    body = page.locator("main").inner_text()
    assert not PHONE_OR_ID.search(body), PHONE_OR_ID.search(body)

    with page.expect_download() as info:
        page.locator("#download-pdf").tap()
    pdf = Path(info.value.path()).read_bytes()
    text = extract_text(pdf)
    flat = "".join(text.split())
    assert "".join(title.split()) in flat
    assert "".join(digest.title.split()) in flat
    assert not PHONE_OR_ID.search(flat), PHONE_OR_ID.search(flat)
    assert "138****5678" in flat  # the demo's phone is there, masked
    context.close()
