import pytest


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    # Hashing with PBKDF2 at production cost would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests talk plain HTTP through the test client.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def cast(db):
    from unionhome.testing.personas import build_cast

    return build_cast()
