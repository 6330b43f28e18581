from django.urls import path

from unionhome.core.lazy_urls import lazy_view

app_name = "stations"
urlpatterns = [
    path("", lazy_view("unionhome.stations.views.cadre.station_list"), name="list"),
    path("new/", lazy_view("unionhome.stations.views.cadre.create"), name="create"),
    path("import/", lazy_view("unionhome.stations.views.cadre.import_file"), name="import"),
    path("export/", lazy_view("unionhome.stations.views.cadre.export"), name="export"),
    path("coverage/", lazy_view("unionhome.stations.views.cadre.coverage"), name="coverage"),
    path(
        "coverage/export/",
        lazy_view("unionhome.stations.views.cadre.coverage_export"),
        name="coverage_export",
    ),
    path("<str:code>/", lazy_view("unionhome.stations.views.cadre.detail"), name="detail"),
    path("<str:code>/edit/", lazy_view("unionhome.stations.views.cadre.edit"), name="edit"),
    path(
        "<str:code>/status/",
        lazy_view("unionhome.stations.views.cadre.change_status"),
        name="status",
    ),
    path(
        "<str:code>/count/", lazy_view("unionhome.stations.views.cadre.record_count"), name="count"
    ),
    path(
        "<str:code>/photos/",
        lazy_view("unionhome.stations.views.cadre.add_photo"),
        name="add_photo",
    ),
    path(
        "<str:code>/photos/<str:photo_code>/remove/",
        lazy_view("unionhome.stations.views.cadre.remove_photo"),
        name="remove_photo",
    ),
]

public_patterns = (
    [
        path("", lazy_view("unionhome.stations.views.public.near"), name="near"),
        path("photo/<str:code>/", lazy_view("unionhome.stations.views.public.photo"), name="photo"),
        path("<str:code>/", lazy_view("unionhome.stations.views.public.station"), name="station"),
    ],
    "stations_public",
)
