from django.urls import path

from unionhome.core.lazy_urls import lazy_view

app_name = "digests"
urlpatterns = [
    path("", lazy_view("unionhome.digests.views.digest_list"), name="list"),
    path("new/", lazy_view("unionhome.digests.views.create"), name="create"),
    path("alerts/", lazy_view("unionhome.digests.views.alert_list"), name="alerts"),
    path("alerts/<str:code>/", lazy_view("unionhome.digests.views.alert_detail"), name="alert"),
    path(
        "alerts/<str:code>/<str:action>/",
        lazy_view("unionhome.digests.views.alert_action"),
        name="alert_action",
    ),
    path("<str:code>/", lazy_view("unionhome.digests.views.detail"), name="detail"),
    path("<str:code>/edit/", lazy_view("unionhome.digests.views.edit"), name="edit"),
    path("<str:code>/publish/", lazy_view("unionhome.digests.views.publish"), name="publish"),
    path("<str:code>/rebuild/", lazy_view("unionhome.digests.views.rebuild"), name="rebuild"),
    path(
        "<str:code>/new-version/",
        lazy_view("unionhome.digests.views.new_version"),
        name="new_version",
    ),
    path("<str:code>/pdf/", lazy_view("unionhome.digests.views.download_pdf"), name="pdf"),
    path("<str:code>/xlsx/", lazy_view("unionhome.digests.views.download_xlsx"), name="xlsx"),
    path(
        "<str:code>/clusters/<int:cluster_id>/<str:action>/",
        lazy_view("unionhome.digests.views.cluster_action"),
        name="cluster",
    ),
]
