from django.urls import path

from . import views

app_name = "digests"
urlpatterns = [
    path("", views.digest_list, name="list"),
    path("new/", views.create, name="create"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<str:code>/", views.alert_detail, name="alert"),
    path("alerts/<str:code>/<str:action>/", views.alert_action, name="alert_action"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/publish/", views.publish, name="publish"),
    path("<str:code>/rebuild/", views.rebuild, name="rebuild"),
    path("<str:code>/new-version/", views.new_version, name="new_version"),
    path("<str:code>/pdf/", views.download_pdf, name="pdf"),
    path("<str:code>/xlsx/", views.download_xlsx, name="xlsx"),
    path(
        "<str:code>/clusters/<int:cluster_id>/<str:action>/", views.cluster_action, name="cluster"
    ),
]
