from django.urls import include, path

from unionhome.core import views as core_views
from unionhome.core.lazy_urls import LazyURLResolver
from unionhome.demands.urls import public_patterns as demand_public_patterns
from unionhome.members.urls import public_patterns as member_public_patterns
from unionhome.stations.urls import public_patterns as station_public_patterns

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("jobs/<str:code>/", core_views.job_page, name="job"),
    path("jobs/<str:code>/progress/", core_views.job_progress, name="job_progress"),
    path("jobs/<str:code>/download/", core_views.job_download, name="job_download"),
    path("accounts/", include("unionhome.accounts.urls")),
    path("orgs/", include("unionhome.orgs.urls")),
    path("demands/", include("unionhome.demands.urls")),
    path("members/", include("unionhome.members.urls")),
    path("m/", include(member_public_patterns)),
    path("d/", include(demand_public_patterns)),
    path("stations/", include("unionhome.stations.urls")),
    path("s/", include(station_public_patterns)),
    path("assistance/", include("unionhome.assistance.urls")),
    path("dashboards/", include("unionhome.dashboards.urls")),
    path("digests/", include("unionhome.digests.urls")),
    path("open311/v2/", include("unionhome.demands.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin discovers its ModelAdmins and builds their URLs on first use (core.lazy_admin).
    LazyURLResolver("admin/", "unionhome.core.admin_urls", app_name="admin", namespace="admin"),
    # The API (django-ninja, pydantic, every schema) loads on its first request, not in every
    # web worker.
    LazyURLResolver("api/v1/", "unionhome.api.routes", app_name="ninja", namespace="api"),
]
