"""Helpers shared by the Playwright browser tests (the fixtures live in the root conftest)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}

_WIDTHS = """() => ({
    doc: document.documentElement.scrollWidth,
    body: document.body.scrollWidth,
    inner: window.innerWidth,
    wide: [...document.querySelectorAll("body *")]
        .filter(e => e.getClientRects().length && !e.closest(".sr-only"))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
                  + " " + Math.round(e.getBoundingClientRect().right))
        .slice(0, 10),
})"""


def assert_fits_phone(page, name: str) -> None:
    """Screenshot to test-artifacts/<name>.png, then: no horizontal scrolling and nothing visible
    past the right edge (html and body clip overflow-x, which would hide a too-wide element from
    scrollWidth)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    widths = page.evaluate(_WIDTHS)
    assert widths["doc"] <= widths["inner"], (name, widths)
    assert widths["body"] <= widths["inner"], (name, widths)
    assert not widths["wide"], (name, widths)
