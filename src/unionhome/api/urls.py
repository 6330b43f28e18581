"""The integrators' API at /api/v1/: each app contributes a router; errors share one shape."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.security import django_auth

from unionhome.assistance.api import router as assistance_router
from unionhome.dashboards.api import router as dashboards_router
from unionhome.demands.api import router as demands_router
from unionhome.digests.api import router as digests_router
from unionhome.members.api import router as members_router
from unionhome.orgs.api import router as orgs_router
from unionhome.stations.api import router as stations_router


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's own files, served by us. ninja is not an installed app
    (settings.py says why), and its fallback for that case loads Swagger UI from a CDN."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api,
                   "add_csrf": _csrf_needed(api)}  # fmt: skip
        return render(request, self.template, context)


api = NinjaAPI(
    title="unionhome API",
    version="1",
    description="职工之家开放接口。Errors: {'detail': …, 'errors': {field: [messages]}}.",
    auth=django_auth,
    urls_namespace="api",
    docs=LocalSwagger(),
)
api.add_router("/orgs", orgs_router)
api.add_router("/demands", demands_router)
api.add_router("/members", members_router)
api.add_router("/stations", stations_router)
api.add_router("/assistance", assistance_router)
api.add_router("/digests", digests_router)
api.add_router("/dashboards", dashboards_router)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            name: [str(m) for e in errs for m in e.messages]
            for name, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return api.create_response(
        request, {"detail": _("输入有误。"), "errors": _messages(exc)}, status=422
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("没有权限。")}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("没有找到。")}, status=404)
