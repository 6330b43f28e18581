import pytest


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    # Hashing with PBKDF2 at production cost would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests talk plain HTTP through the test client.
    settings.SECURE_SSL_REDIRECT = False


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
