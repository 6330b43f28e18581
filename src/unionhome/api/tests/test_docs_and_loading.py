"""The API's docs page works offline, and the API is not loaded by web workers until used."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import unionhome


@pytest.mark.django_db
def test_docs_page_serves_swagger_ui_from_our_own_static_files(client, cast):
    client.force_login(cast.city_cadre)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "unionhome API"


def test_a_worker_serving_pages_does_not_load_the_api_or_demo_code():
    code = (
        "import sys, django; django.setup();"
        "from django.urls import resolve, reverse;"
        "resolve('/d/new/'); reverse('demands_public:submit'); reverse('demands:inbox');"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('ninja', 'pydantic')"
        " or m.endswith('.demo') or m == 'unionhome.api.urls');"
        "assert not loaded, loaded;"
        "reverse('api:openapi-json'); assert 'ninja' in sys.modules"
    )
    src = str(Path(unionhome.__file__).resolve().parents[1])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "unionhome.settings", "PYTHONPATH": src}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)  # noqa: S603
