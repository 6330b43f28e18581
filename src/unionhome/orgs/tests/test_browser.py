"""The org tree in a real browser: Debian's Chromium driven by Playwright against `live_server`.

Never downloads a browser: /usr/bin/chromium must be installed (CI installs it; elsewhere these
tests skip without it). Screenshots of the phone layout land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest
from django.conf import settings as django_settings
from django.db.models import Sum
from playwright.sync_api import expect

from unionhome.conftest import TIMEOUT_MS
from unionhome.orgs.demo import DEMO_PASSWORD, seed_demo
from unionhome.orgs.models import Org, OrgLevel
from unionhome.testing.browser import assert_fits_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
STREET = "梁溪区崇安寺街道总工会"
STREET_SHORT = "崇安寺街道总工会"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def _new_page(browser, **context_options):
    context = browser.new_context(locale="zh-CN", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(DEMO_PASSWORD)
    form.locator('button[type="submit"]').click()
    # A cadre lands on the demand inbox; the org tree is one tap away in the top bar.
    expect(page).to_have_url(re.compile(r"/demands/$"))
    page.locator("header.topbar").get_by_role("link", name="组织").click()
    expect(page).to_have_url(re.compile(r"/orgs/$"))
    # The URL changes when the tree page starts loading; htmx binds its toggles only once the
    # deferred scripts have run, and a click before that would expand an empty list.
    page.wait_for_load_state("load")


def _roots(page):
    return page.locator("#org-tree > li.node")


def _expand(node):
    """Click a node's toggle and wait until its children are in view."""
    node.locator(":scope > .row > button.toggle").click()
    kids = node.locator(":scope > ul.kids")
    expect(kids).to_be_visible()
    expect(kids.locator(":scope > li").first).to_be_visible()
    return kids


def _street_and_subtree_codes() -> tuple[Org, set[str]]:
    street = Org.objects.get(name=STREET)
    return street, {
        street.code,
        *Org.objects.get_descendants(street).values_list("code", flat=True),
    }


def test_street_cadre_sees_only_their_subtree_in_the_org_tree(browser, live_server):
    seed_demo()
    street, subtree_codes = _street_and_subtree_codes()
    children = list(Org.objects.get_children(street))
    enterprises = [c for c in children if c.level == OrgLevel.GRASSROOTS]
    assert enterprises, "the demo street should hold enterprise unions"

    page = _new_page(browser)
    _log_in(page, live_server.url, "street_cadre")

    roots = _roots(page)
    expect(roots).to_have_count(1)
    root = roots.first
    expect(root).to_have_attribute("data-code", street.code)
    expect(root.locator(":scope > .row > a.name")).to_have_text(STREET_SHORT)

    kids = _expand(root)
    expect(kids.locator(":scope > li.node")).to_have_count(len(children))

    names = set(page.locator("#org-tree a.name:visible").all_inner_texts())
    assert {e.short_name or e.name for e in enterprises} <= names
    for outside in ("广益", "南京", "江苏省总", "无锡市总"):
        assert not [n for n in names if outside in n], f"{outside!r} leaked into the tree: {names}"
    assert "梁溪区总工会" not in names
    assert roots.locator(":scope > .row > a.name").all_inner_texts() == [STREET_SHORT]

    shown = set(
        page.locator("#org-tree li.node").evaluate_all("els => els.map(e => e.dataset.code)")
    )
    assert shown <= subtree_codes, (
        f"orgs outside the street's subtree shown: {shown - subtree_codes}"
    )
    assert {c.code for c in children} <= shown, "every child of the street must be listed"

    # Each node's member figure is the sum over its whole subtree, as the database has it.
    figures = dict(
        page.locator("#org-tree li.node").evaluate_all(
            """els => els.map(e => [e.dataset.code,
                e.querySelector(":scope > .row .fig-members b")?.textContent.trim()])"""
        )
    )
    expected = {
        org.code: str(
            Org.objects.filter(path__startswith=org.path).aggregate(n=Sum("member_count"))["n"]
        )
        for org in [street, *children]
    }
    assert figures == expected

    # Search stays inside the subtree, and finds Simplified names typed in Traditional.
    results = page.locator("#search-results")
    page.locator("#id_q").fill("南京")
    expect(results).to_contain_text("没有匹配的组织")
    expect(results.locator("ul.results li")).to_have_count(0)

    to_traditional = opencc.OpenCC("s2t")
    target, fragment = next(
        (e, frag)
        for e in enterprises
        # "恒达精密机械" from "无锡恒达精密机械有限公司工会委员会": a fragment that changes in s2t.
        for frag in [e.name.removeprefix("无锡").split("有限公司")[0]]
        if to_traditional.convert(frag) != frag
    )
    traditional = to_traditional.convert(fragment)
    page.locator("#id_q").fill(traditional)
    expect(results).to_contain_text("找到")
    expect(results.locator("ul.results a", has_text=target.name)).to_be_visible()
    found = results.locator("ul.results a").all_inner_texts()
    assert all(fragment in name for name in found), (traditional, found)


def _assert_fits_phone(page, name: str) -> None:
    assert_fits_phone(page, f"phone-{name}")


def _assert_toggles_are_thumb_sized(page) -> None:
    """A point 5 px outside a toggle's drawn box, on any side, still hits that toggle: its tap
    target is at least ~44 px square, whatever size the box is drawn."""
    misses = page.locator(".tree button.toggle:visible").evaluate_all(
        """buttons => buttons.flatMap(b => {
            b.scrollIntoView({block: "center"});
            const r = b.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
            const points = [[cx, r.top - 5], [cx, r.bottom + 5], [r.left - 5, cy], [r.right + 5, cy]];
            return points
                .filter(([x, y]) => document.elementFromPoint(x, y)?.closest("button.toggle") !== b)
                .map(([x, y]) => `${b.closest("li.node").dataset.code} misses (${x}, ${y})`);
        })"""
    )
    assert not misses, misses


def test_phone_viewport_has_no_horizontal_scrolling(browser, live_server):
    seed_demo()
    street = Org.objects.get(name=STREET)
    # An enterprise with branch unions below it, so its page lists children too.
    enterprise = next(
        c for c in Org.objects.get_children(street) if c.level == OrgLevel.GRASSROOTS and c.numchild
    )

    page = _new_page(browser, **PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator('main input[name="username"]')).to_be_visible()
    _assert_fits_phone(page, "login")

    _log_in(page, live_server.url, "street_cadre")
    expect(_roots(page)).to_have_count(1)
    _assert_fits_phone(page, "tree")

    root = _roots(page).first
    root.locator(":scope > .row > button.toggle").tap()
    kids = root.locator(":scope > ul.kids")
    expect(kids.locator(":scope > li.node").first).to_be_visible()
    _expand(kids.locator(f'li.node[data-code="{enterprise.code}"]'))
    _assert_fits_phone(page, "tree-expanded")
    _assert_toggles_are_thumb_sized(page)

    page.goto(f"{live_server.url}/orgs/{enterprise.code}/")
    expect(page.locator("h1")).to_have_text(enterprise.name)
    _assert_fits_phone(page, "detail")
    _assert_toggles_are_thumb_sized(page)


def test_expand_and_collapse_do_not_reload(browser, live_server):
    seed_demo()
    street = Org.objects.get(name=STREET)
    page = _new_page(browser)
    _log_in(page, live_server.url, "street_cadre")

    children_path = f"/orgs/{street.code}/children/"
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if children_path in r.url else None)

    root = _roots(page).first
    toggle = root.locator(":scope > .row > button.toggle")
    kids = _expand(root)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert len(requested) == 1, requested

    toggle.click()
    expect(kids).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    expect(kids).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(kids.locator(":scope > li.node")).to_have_count(street.numchild)
    # Give a stray request time to show up before counting.
    page.wait_for_timeout(300)
    assert len(requested) == 1, f"children were fetched again: {requested}"
