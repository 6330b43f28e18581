"""Fixtures shared by every app's tests: fast hashing, the default language, the personas,
and a plain-HTTP live server with a headless Debian Chromium for browser tests."""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items):
    """Every test that uses the database may use all of them: on SQLite the web form's queue
    has a file of its own (core.dbrouter), and any page may submit to it."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(
            getattr(item, "fixturenames", ())
        )
        if uses_db:
            kwargs = {**(marker.kwargs if marker else {}), "databases": "__all__"}
            item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs),
                            append=False)  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    # Hashing with PBKDF2 at production cost would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests talk plain HTTP through the test client.
    settings.SECURE_SSL_REDIRECT = False
    # Background jobs run inside the test (after commit); each test gets its own cache.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # LocMem caches with the same location share one dict per process: start every test empty.
    from django.core.cache import cache

    from unionhome.core import memo

    cache.clear()
    # Configuration read once per process (routing rules, deadline policies, calendar): a row a
    # test wrote and rolled back must not reach the next test.
    memo.clear_all()
    yield
    memo.clear_all()


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread; start each test
    # in the default language so that messages compared in tests are the Simplified ones.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cast(db):
    from unionhome.testing.personas import build_cast

    return build_cast()


@pytest.fixture(scope="module")
def live_server(request, django_db_setup):
    """pytest-django's live server, but speaking plain HTTP.

    The settings default to HTTPS-only (redirect, secure cookies) unless the environment says
    otherwise, and SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server thread
    builds its handler: a per-test `settings` override comes too late, so start our own server
    with plain-HTTP settings in force.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    ):
        server = LiveServer(addr)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def browser(monkeypatch, live_server):
    """A headless Chromium; the test thread may use the ORM while Playwright's loop is alive."""
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: {message}")
        pytest.skip(message)
    # Playwright's sync API keeps an event loop registered in this thread, which makes Django
    # refuse ORM calls from it; they are still plain synchronous calls, so allow them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright runs, this thread's code sees a contextvars context of its own, so
            # the ORM opened connections Django's test teardown does not know about: close them
            # here, or PostgreSQL refuses to drop the test database ("accessed by other users").
            connections.close_all()
