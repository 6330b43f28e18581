"""Joining online and the member card in a real phone browser: a worker with no account finds
their union by a Traditional-script name and applies, the enterprise union's cadre approves on
the desk, the worker opens the card, and a merchant checks the QR token: valid, tampered, expired.

Debian's Chromium driven by Playwright against `live_server` (see unionhome/conftest.py); never
downloads a browser. Full-page screenshots land in test-artifacts/card-*.png (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import quote

import pytest
import time_machine
from django.core import signing
from django.utils import timezone
from playwright.sync_api import expect

from unionhome.conftest import TIMEOUT_MS
from unionhome.members import services
from unionhome.members.models import ApplicationStatus, JoinApplication, MembershipStatus
from unionhome.testing.browser import PHONE, assert_fits_phone
from unionhome.testing.personas import PASSWORD, make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "赵六"
MASKED_NAME = "赵*"
ID_NUMBER = make_id_number(seq=301)  # the cast uses seq 3..11
PHONE_NUMBER = "13612340301"
BUDGET_SECONDS = 60
# The signature part of a token is base64url; swap one of its characters for another.
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


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
    assert_fits_phone(page, f"card-{name}")


def _verify(page, base_url: str, token: str, name: str):
    page.goto(f"{base_url}/m/verify/?t={quote(token, safe='')}")
    page.wait_for_load_state("load")
    result = page.locator("#verify-result")
    expect(result).to_be_visible()
    _assert_fits_phone(page, name)
    return result


def _expired_token(number: str) -> str:
    """A token signed just over CARD_TOKEN_MAX_AGE seconds ago, as a stale screenshot holds."""
    past = timezone.now() - dt.timedelta(seconds=services.CARD_TOKEN_MAX_AGE + 60)
    with time_machine.travel(past, tick=False):
        return signing.TimestampSigner(salt=services.CARD_TOKEN_SALT).sign(number)


def test_worker_joins_on_a_phone_and_the_card_verifies(browser, live_server, cast):
    started = time.monotonic()
    base = live_server.url
    union = cast.hengda

    # 1. A worker with no account applies, finding the union by its Traditional-script name.
    worker = _new_page(browser)
    worker.goto(f"{base}/m/join/")
    # htmx is deferred: typing before it has bound the search box would search nothing.
    worker.wait_for_load_state("load")
    _assert_fits_phone(worker, "join")
    worker.locator("#union-q").fill("恆達")
    pick = worker.locator(f'#union-choices [data-pick-union="{union.code}"]')
    expect(pick).to_be_visible()
    expect(pick).to_contain_text(union.name)
    _assert_fits_phone(worker, "join-results")
    # The keyboard's search key must search, not submit the half-empty application.
    posts: list[str] = []
    worker.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    worker.locator("#union-q").press("Enter")
    worker.wait_for_timeout(500)
    assert not posts, f"Enter in the union search box submitted the form: {posts}"
    expect(worker.locator("#join-form .error")).to_have_count(0)
    pick.tap()
    expect(worker.locator("#id_org")).to_have_value(union.code)
    expect(worker.locator("#union-choices .chosen")).to_contain_text(union.name)

    form = worker.locator("#join-form")
    form.locator("#id_name").fill(NAME)
    form.locator("#id_id_number").fill(ID_NUMBER)
    form.locator("#id_phone").fill(PHONE_NUMBER)
    consent = form.locator("#id_consent")
    consent.tap()
    expect(consent).to_be_checked()
    _assert_fits_phone(worker, "join-filled")
    form.locator("button[type=submit]").tap()

    expect(worker).to_have_url(re.compile(r"/m/join/[A-Z0-9-]+/$"))
    status = worker.locator("#application-status")
    expect(status).to_have_text("待审核")
    code = worker.locator("#application-code").inner_text().strip()
    assert worker.url.endswith(f"/m/join/{code}/")
    expect(worker.locator("#card-link")).to_have_count(0)
    _assert_fits_phone(worker, "application-pending")

    application = JoinApplication.objects.get(code=code)
    assert application.org_id == union.pk
    assert application.status == ApplicationStatus.PENDING
    assert (application.name, application.id_number, application.phone) == (
        NAME,
        ID_NUMBER,
        PHONE_NUMBER,
    )

    # 2. The enterprise union's cadre approves it on the member desk.
    cadre = _new_page(browser)
    _log_in(cadre, base, cast.enterprise_cadre.username)
    cadre.goto(f"{base}/members/")
    cadre.wait_for_load_state("load")
    row = cadre.locator(f'li[data-code="{code}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text(union.name)
    # The desk masks the ID number and the phone.
    assert ID_NUMBER not in cadre.content()
    assert PHONE_NUMBER not in cadre.content()
    _assert_fits_phone(cadre, "desk")
    row.get_by_role("button", name="批准", exact=True).tap()
    expect(cadre).to_have_url(re.compile(r"/members/$"))
    expect(cadre.locator(f'li[data-code="{code}"]')).to_have_count(0)
    expect(cadre.locator(".messages")).to_contain_text("已批准")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    person = application.person
    assert person is not None
    assert person.memberships.get(status=MembershipStatus.ACTIVE).org_id == union.pk

    # 3. The worker comes back to the application page and opens the card.
    worker.reload()
    expect(status).to_have_text("已批准")
    card_link = worker.locator("#card-link")
    expect(card_link).to_be_visible()
    _assert_fits_phone(worker, "application-approved")
    card_link.tap()
    expect(worker).to_have_url(re.compile(r"/m/card/[^/]+/$"))
    worker.wait_for_load_state("load")
    expect(worker.locator(".qr svg")).to_be_visible()
    card = worker.locator(".member-card")
    expect(card.locator("h1")).to_have_text(MASKED_NAME)
    expect(card).to_contain_text(union.name)
    html = worker.content()
    assert ID_NUMBER not in html
    assert PHONE_NUMBER not in html
    assert NAME not in html
    _assert_fits_phone(worker, "card")

    token = worker.locator("#card-token").input_value()
    number = person.card.number
    assert token.startswith(f"{number}:"), token
    assert re.search(rf"{number[:4]}\s+{number[4:8]}", card.locator(".card-number").inner_text())

    # 4. A merchant scans the QR: a valid member of 恒达, and nothing about who.
    merchant = _new_page(browser)
    result = _verify(merchant, base, token, "verify-valid")
    expect(result).to_contain_text("有效会员")
    expect(result).to_contain_text(union.name)
    expect(result).not_to_contain_text(NAME[0])
    verify_html = merchant.content()
    assert NAME not in verify_html
    assert ID_NUMBER not in verify_html
    assert PHONE_NUMBER not in verify_html

    # One character of the signature changed: refused.
    head, signature = token.rsplit(":", 1)
    i = len(signature) // 2
    swapped = B64URL[(B64URL.index(signature[i]) + 1) % len(B64URL)]
    tampered = f"{head}:{signature[:i]}{swapped}{signature[i + 1 :]}"
    assert tampered != token
    result = _verify(merchant, base, tampered, "verify-tampered")
    expect(result).to_contain_text("二维码无效")
    expect(result).not_to_contain_text("有效会员")
    expect(result).not_to_contain_text(union.name)

    # A screenshot of the QR kept past its lifetime: expired.
    expired = _expired_token(number)
    assert expired.split(":")[0] == number and expired != token
    result = _verify(merchant, base, expired, "verify-expired")
    expect(result).to_contain_text("已过期")
    expect(result).not_to_contain_text(union.name)

    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_SECONDS, f"the join-and-verify loop took {elapsed:.1f}s"
