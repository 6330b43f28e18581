"""One demand's whole loop in a real phone browser: an anonymous worker reports, the enterprise
union's cadre accepts, visits face to face and resolves, the worker rates it poorly, and the
parent union sees it reopened under supervision (上级督办).

Debian's Chromium driven by Playwright against `live_server` (see unionhome/conftest.py); never
downloads a browser. Full-page screenshots land in test-artifacts/loop-*.png (git-ignored).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from unionhome.conftest import TIMEOUT_MS
from unionhome.demands import receipts
from unionhome.demands.models import Demand, EventKind, Status
from unionhome.testing.browser import assert_fits_phone
from unionhome.testing.personas import PASSWORD
from unionhome.text.classify import suggest_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
EMPLOYER = "无锡恒达精密机械有限公司"
COMPLAINT = (
    "无锡恒达精密机械有限公司拖欠我们装配车间二十多名工人三月和四月两个月的工资，"
    "车间主任说公司资金周转困难，让我们再等等，希望工会帮忙协调尽快发放。"
)
BUDGET_SECONDS = 60


def _new_page(browser):
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').tap()
    # A cadre lands on the demand inbox.
    expect(page).to_have_url(re.compile(r"/demands/$"))
    page.wait_for_load_state("load")


def _assert_fits_phone(page, name: str) -> None:
    assert_fits_phone(page, f"loop-{name}")


def _open_action(page, action: str):
    """Unfold one <details> action on the demand page and return it."""
    box = page.locator(f"#action-{action}")
    box.locator(":scope > summary").tap()
    expect(box).to_have_attribute("open", "")
    expect(box.locator("form button[type=submit]")).to_be_visible()
    return box


def test_worker_to_rated_resolution_loop_on_a_phone(browser, live_server, cast):
    started = time.monotonic()
    base = live_server.url
    # The category model is trained in-process on first use (sklearn import + fit): 1.5-3 s, and
    # over 10 s on a busy machine, which would time out the worker's submit. Build it now; the
    # live server thread shares this process and its cached model.
    suggest_category("拖欠工资")

    # 1. An anonymous worker reports unpaid wages; no login.
    worker = _new_page(browser)
    worker.goto(f"{base}/d/new/")
    worker.wait_for_load_state("load")
    form = worker.locator("#intake-form")
    form.locator("#id_description").fill(COMPLAINT)
    form.locator("#id_employer_name").fill(EMPLOYER)
    identity = form.locator("#identity")
    expect(identity).to_be_visible()
    expect(form.locator("#id_contact_phone")).to_be_visible()
    form.locator("#id_anonymous").tap()
    expect(form.locator("#id_anonymous")).to_be_checked()
    expect(identity).to_be_hidden()
    expect(form.locator("#id_contact_name")).to_be_hidden()
    expect(form.locator("#id_contact_phone")).to_be_hidden()
    _assert_fits_phone(worker, "intake")
    form.locator("button[type=submit]").tap()

    expect(worker).to_have_url(re.compile(r"/d/t/[A-Z0-9-]+/$"))
    code_box = worker.locator("#tracking-code")
    expect(code_box).to_have_text(re.compile(r"^\s*[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\s*$"))
    tracking = code_box.inner_text().strip()
    assert worker.url.endswith(f"/d/t/{tracking}/")
    # Acknowledged at once; the intake worker records it, and the page refreshes by itself.
    expect(worker.locator("#received")).to_be_visible()
    assert receipts.process_receipts() == 1
    expect(worker.locator("#agency")).to_have_text(cast.hengda.name, timeout=10_000)
    _assert_fits_phone(worker, "tracking")

    demand = Demand.objects.get(tracking_code=tracking)
    assert demand.org_id == cast.hengda.pk
    assert demand.status == Status.SUBMITTED
    assert demand.anonymous
    assert (demand.contact_name, demand.contact_phone, demand.contact_phone_index) == ("", "", "")
    assert demand.submitter_id is None

    # 2. The enterprise union's cadre handles it on their phone.
    cadre = _new_page(browser)
    _log_in(cadre, base, cast.enterprise_cadre.username)
    row = cadre.locator(f'li.demand-row[data-code="{demand.code}"]')
    expect(row).to_be_visible()
    expect(row.locator(".badge.status-submitted")).to_have_text("待受理")
    _assert_fits_phone(cadre, "inbox")
    row.locator("a").first.tap()
    expect(cadre).to_have_url(re.compile(rf"/demands/{re.escape(demand.code)}/$"))
    status = cadre.locator("#status")
    expect(status).to_have_text("待受理")
    expect(cadre.locator("#owner-org")).to_have_text(cast.hengda.name)
    _assert_fits_phone(cadre, "detail")

    _open_action(cadre, "accept").locator("form button[type=submit]").tap()
    expect(status).to_have_text("已受理")
    expect(cadre.locator(".messages")).to_contain_text("已保存")

    visit = _open_action(cadre, "visit")
    expect(
        visit.locator('input[name="visited_on"]'),
        "the visit date should default to today; an <input type=date> only takes yyyy-mm-dd",
    ).to_have_value(timezone.localdate().isoformat())
    visit.locator('input[name="place"]').fill("恒达精密装配车间办公室")
    visit.locator('input[name="people_met"]').fill("车间主任张某、反映问题的工人代表两名")
    visit.locator('textarea[name="notes"]').fill(
        "核实三月、四月工资确未发放，企业承诺本月二十日前补发，工会将跟进。"
    )
    _assert_fits_phone(cadre, "detail-visit-form")
    visit.locator("form button[type=submit]").tap()
    expect(status).to_have_text("办理中")
    timeline = cadre.locator("ol.timeline")
    expect(timeline.locator("li.event.kind-visited")).to_have_count(1)
    expect(timeline.locator("li.event.kind-visited")).to_contain_text("面对面走访")
    expect(cadre.locator(".visit")).to_contain_text("恒达精密装配车间办公室")

    resolve = _open_action(cadre, "resolve")
    resolve.locator('textarea[name="outcome"]').fill(
        "经工会协调，企业已补发三月工资，四月工资承诺月底前发放。"
    )
    resolve.locator("form button[type=submit]").tap()
    expect(status).to_have_text("已办结")
    expect(timeline.locator("li.event.kind-resolved")).to_have_count(1)
    _assert_fits_phone(cadre, "detail-resolved")

    # 3. The worker comes back with the tracking code alone and rates it poorly.
    worker.reload()
    rate = worker.locator("#rate")
    expect(rate).to_be_visible()
    expect(rate).to_contain_text("企业已补发三月工资")
    _assert_fits_phone(worker, "rate")
    two_stars = rate.locator('input[name="rate-rating"][value="2"]')
    solved = rate.locator('input[name="rate-solved"][value="yes"]')
    # Each radio sits beside its label text, not stretched across the card above it.
    for radio in (two_stars, solved):
        box, label = radio.bounding_box(), radio.locator("xpath=..").bounding_box()
        assert box["width"] < 40, (box, label)
        assert label["y"] <= box["y"] < label["y"] + 40, (box, label)
    two_stars.tap()
    solved.tap()
    expect(two_stars).to_be_checked()
    expect(solved).to_be_checked()
    rate.locator("button[type=submit]").tap()
    expect(worker).to_have_url(re.compile(rf"/d/t/{re.escape(tracking)}/$"))
    expect(worker.locator(".badge.status-in_progress")).to_have_text("办理中")
    expect(worker.locator("#rate")).to_have_count(0)
    expect(worker.locator("#timeline li.event.kind-reopened")).to_have_count(1)
    _assert_fits_phone(worker, "tracking-reopened")

    demand.refresh_from_db()
    assert demand.status == Status.IN_PROGRESS
    assert demand.escalated is True
    assert demand.rating == 2
    assert demand.org_id == cast.hengda.pk
    assert demand.events.filter(kind=EventKind.REOPENED).count() == 1

    # 4. The parent (street) union's cadre finds it under 上级督办.
    street = _new_page(browser)
    _log_in(street, base, cast.street_cadre.username)
    tile = street.locator("a.tile", has_text="上级督办")
    expect(tile.locator("b")).to_have_text("1")
    tile.tap()
    expect(street).to_have_url(re.compile(r"/demands/\?status=open&escalated=on$"))
    escalated_row = street.locator(f'li.demand-row[data-code="{demand.code}"]')
    expect(escalated_row).to_be_visible()
    expect(escalated_row.locator(".badge.status-in_progress")).to_have_text("办理中")
    expect(escalated_row).to_contain_text("督办")
    expect(street.locator("li.demand-row")).to_have_count(1)
    _assert_fits_phone(street, "inbox-escalated")

    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_SECONDS, f"the loop took {elapsed:.1f}s"
