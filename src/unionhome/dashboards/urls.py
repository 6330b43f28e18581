from django.urls import path

from unionhome.core.lazy_urls import lazy_view

app_name = "dashboards"
urlpatterns = [
    path("", lazy_view("unionhome.dashboards.views.dashboard"), name="dashboard"),
    path("export.xlsx", lazy_view("unionhome.dashboards.views.export"), name="export"),
]
