"""The API's URL patterns, imported on the first /api/v1/ request or `reverse("api:…")`, not
when a web worker starts: django-ninja, pydantic and every router's schemas are ~12 MiB a
process, which workers serving only pages never need (see the root URLconf)."""

from .urls import api

urlpatterns, app_name, _namespace = api.urls
