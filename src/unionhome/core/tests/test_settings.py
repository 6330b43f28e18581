import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from unionhome import settings as project_settings

ROOT = Path(__file__).resolve().parents[4]


def test_env_bool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        project_settings.env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "yes")
    assert project_settings.env_bool("SOME_FLAG", False) is True


def test_env_int_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "12a")
    with pytest.raises(ImproperlyConfigured):
        project_settings.env_int("SOME_NUMBER", 1)


def _settings_in_subprocess(tmp_path, **env):
    code = (
        "import json; from django.conf import settings as s; import django; django.setup();"
        "print(json.dumps({k: getattr(s, k) for k in ['DEBUG','SESSION_COOKIE_SECURE',"
        "'CSRF_COOKIE_SECURE','SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS','ALLOWED_HOSTS',"
        "'SECRET_KEY']}))"
    )
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "unionhome.settings",
            "PYTHONPATH": str(ROOT / "src"), "UNIONHOME_VAR_DIR": str(tmp_path)}  # fmt: skip
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
        check=True, cwd=ROOT,
    )  # fmt: skip
    import json

    return json.loads(result.stdout)


def test_production_defaults_are_secure_and_debug_is_off(tmp_path):
    values = _settings_in_subprocess(tmp_path)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] > 0
    assert values["ALLOWED_HOSTS"] == []


def test_secret_key_is_generated_once_into_an_untracked_file(tmp_path):
    first = _settings_in_subprocess(tmp_path)["SECRET_KEY"]
    second = _settings_in_subprocess(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) > 40
    secrets_file = tmp_path / "local_secrets.json"
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    # The default location (var/) is ignored by git, so the generated secrets are never committed.
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "var/local_secrets.json"],  # noqa: S607
        cwd=ROOT,
        check=False,
    )
    assert ignored.returncode == 0


def test_environment_wins_over_the_local_file(tmp_path):
    assert (
        _settings_in_subprocess(tmp_path, SECRET_KEY="from-env" * 8)["SECRET_KEY"] == "from-env" * 8
    )


def test_make_run_mode_is_plain_http_with_debug(tmp_path):
    values = _settings_in_subprocess(tmp_path, DEBUG="1", UNIONHOME_INSECURE_HTTP="1")
    assert values["DEBUG"] is True
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]


def test_security_headers_are_sent(client, db, settings):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
