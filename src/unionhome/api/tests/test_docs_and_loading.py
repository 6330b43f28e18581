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


# Runs in a fresh interpreter on a fresh SQLite file: migrate, the cast, then the pages a web
# worker serves (submit with a phone, log in as a cadre whose phone is encrypted, inbox, search,
# detail with the contact revealed), then what those requests imported.
WORKER = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.urls import reverse
from unionhome.demands.models import Demand
from unionhome.testing.personas import PASSWORD, build_cast

cast = build_cast()
public = Client()
form = {"description": "公司拖欠我们三个月工资，老板一直不露面", "employer_name": "无锡恒达精密机械有限公司",
        "contact_name": "李四", "contact_phone": "13812345678", "category": ""}
assert public.post(reverse("demands_public:submit"), form).status_code == 302
# What the intake worker does with the receipt (here, so its imports are checked too; a web
# worker runs the same code when no intake worker has come by).
from unionhome.demands.receipts import drain
assert drain() == 1
demand = Demand.objects.get()
assert demand.contact_phone == "13812345678"
cadre = Client()
assert cadre.post(reverse("accounts:login"),
                  {"username": cast.city_cadre.username, "password": PASSWORD}).status_code == 302
for path in ("/demands/?status=open", "/demands/?status=&q=工资"):
    assert cadre.get(path).status_code == 200
cadre.post(reverse("demands:reveal", args=[demand.code]))
assert "13812345678" in cadre.get(reverse("demands:detail", args=[demand.code])).content.decode()
heavy = ("ninja", "pydantic", "cryptography", "sklearn", "scipy", "numpy", "jieba", "h3",
         "opencc")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy
                or m.endswith(".demo") or m == "unionhome.api.urls"
                or (m.startswith("unionhome.") and m.endswith(".admin")))
assert not loaded, loaded
idle_views = sorted(m for m in sys.modules if m.startswith("unionhome.") and ".views" in m
                    and m.split(".")[1] not in ("demands", "accounts", "core"))
assert not idle_views, idle_views  # lazy_view: only the views this worker served
assert cadre.get(reverse("members:desk")).status_code == 200
assert "unionhome.members.views.cadre" in sys.modules
reverse("api:openapi-json")
assert "ninja" in sys.modules
reverse("admin:index")
assert "unionhome.demands.admin" in sys.modules
"""


def test_a_worker_serving_pages_loads_none_of_what_only_other_pages_or_tasks_need(tmp_path):
    """Each of these costs every web worker memory for pages it may never serve: `cryptography`
    (≈ 11 MiB) is only for Fernet tokens written before v2, h3 (≈ 5 MiB) for stations, OpenCC
    (≈ 5 MiB) for batch clustering (pages convert with text.t2s), the ModelAdmins for /admin/
    (core.lazy_admin), other apps' views (core.lazy_urls.lazy_view)."""
    src = str(Path(unionhome.__file__).resolve().parents[1])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "unionhome.settings", "PYTHONPATH": src,
           "UNIONHOME_VAR_DIR": str(tmp_path), "UNIONHOME_SQLITE_PATH": str(tmp_path / "db"),
           "DEBUG": "0", "UNIONHOME_INSECURE_HTTP": "1", "ALLOWED_HOSTS": "testserver",
           "AXES_ENABLED": "0"}  # fmt: skip
    for name in ("DATABASE_URL", "UNIONHOME_FIELD_KEYS", "UNIONHOME_INDEX_KEY", "SECRET_KEY"):
        env.pop(name, None)  # a fresh SQLite file, secrets generated without `cryptography`
    subprocess.run([sys.executable, "-c", WORKER], check=True, env=env, timeout=300)  # noqa: S603
