"""Django's admin, discovered on first use instead of at start-up.

`django.contrib.admin`'s default AppConfig imports every app's `admin.py` (and their forms,
treebeard's and django-simple-history's admin classes) in `ready()`, and `admin.site.urls` in the
root URLconf builds every ModelAdmin's URLs on a worker's first request: ≈ 8 MiB in each web
worker, most of which never serve /admin/. Here the admin app does no discovery at start-up;
`admin_urls` (behind a `LazyURLResolver` at /admin/) discovers on the first admin request or the
first `reverse("admin:…")`, and the system checks discover before checking the ModelAdmins.
"""

from __future__ import annotations

from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks


def check_discovered_admin(app_configs, **kwargs):
    """`check_admin_app` after discovery, so `manage.py check` still sees every ModelAdmin."""
    from django.contrib.admin import autodiscover

    autodiscover()
    return check_admin_app(app_configs, **kwargs)


class LazyAdminConfig(SimpleAdminConfig):
    def ready(self):
        # Not super().ready(): its check_admin_app would run on the empty registry.
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_discovered_admin, checks.Tags.admin)
