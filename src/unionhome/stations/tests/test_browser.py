"""Near me on a phone, in a real browser: Debian's Chromium via Playwright against `live_server`.

The browser is told it stands at 崇安寺 (geolocation granted); the map tiles point at a port
nothing listens on, as when a worker's phone cannot reach the tile server: the list must still
come, in walking order, with one numbered marker per station.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from unionhome.conftest import TIMEOUT_MS

from .conftest import CENTRE, east, north

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}  # fmt: skip
UNREACHABLE_TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"


def test_phone_with_location_lists_nearest_stations_in_order_with_markers(
    browser, live_server, make_station, settings
):
    settings.UNIONHOME_MAP_TILE_URL = UNREACHABLE_TILES
    expected = [
        make_station(name="中山路骑手驿站", point=east(CENTRE, 150)),
        make_station(name="崇安寺职工之家", point=north(CENTRE, 420), kind="home"),
        make_station(name="三阳广场户外劳动者服务站", point=north(CENTRE, -780)),
    ]
    make_station(name="太远的站", point=north(CENTRE, 1500))
    make_station(name="暂停的站", point=east(CENTRE, 60), status="suspended")

    context = browser.new_context(
        locale="zh-CN", geolocation={"latitude": CENTRE[0], "longitude": CENTRE[1]},
        permissions=["geolocation"], **PHONE,
    )  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    failed_tiles: list[str] = []
    page = context.new_page()
    page.on("requestfailed", lambda r: failed_tiles.append(r.url) if "/tiles/" in r.url else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/s/")
    locate = page.get_by_role("button", name="使用我的位置")
    expect(locate).to_be_visible()
    locate.tap()

    expect(page).to_have_url(re.compile(r"/s/\?.*lat=31\.578"))
    rows = page.locator("#station-list li.station-row")
    expect(rows).to_have_count(3)
    assert rows.locator(".station-name").all_inner_texts() == [s.name for s in expected]
    assert rows.evaluate_all("els => els.map(e => e.dataset.code)") == [s.code for s in expected]
    expect(rows.first.locator(".walk")).to_have_text("步行约3分钟")

    markers = page.locator("#station-map .leaflet-marker-icon.station-pin")
    expect(markers).to_have_count(3)
    assert markers.all_inner_texts() == ["1", "2", "3"]
    assert markers.evaluate_all("els => els.map(e => e.dataset.code)") == [s.code for s in expected]
    assert markers.evaluate_all("els => els.map(e => e.title)") == [s.name for s in expected]
    expect(page.locator("#station-map path.me")).to_have_count(1)
    page.wait_for_timeout(300)
    assert failed_tiles, "the map should have tried (and failed) to load tiles"

    # The typed fallback works the same way, on the same page.
    page.locator("#id_q").fill("31.5782, 120.3008")
    page.locator("#near-search").tap()
    expect(page).to_have_url(re.compile(r"q=31"))
    expect(rows).to_have_count(3)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-stations-near.png"), full_page=True)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    assert not errors, errors
    context.close()
