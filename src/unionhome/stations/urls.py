from django.urls import path

from .views import cadre, public

app_name = "stations"
urlpatterns = [
    path("", cadre.station_list, name="list"),
    path("new/", cadre.create, name="create"),
    path("import/", cadre.import_file, name="import"),
    path("export/", cadre.export, name="export"),
    path("coverage/", cadre.coverage, name="coverage"),
    path("coverage/export/", cadre.coverage_export, name="coverage_export"),
    path("<str:code>/", cadre.detail, name="detail"),
    path("<str:code>/edit/", cadre.edit, name="edit"),
    path("<str:code>/status/", cadre.change_status, name="status"),
    path("<str:code>/count/", cadre.record_count, name="count"),
    path("<str:code>/photos/", cadre.add_photo, name="add_photo"),
    path("<str:code>/photos/<str:photo_code>/remove/", cadre.remove_photo, name="remove_photo"),
]

public_patterns = (
    [
        path("", public.near, name="near"),
        path("photo/<str:code>/", public.photo, name="photo"),
        path("<str:code>/", public.station, name="station"),
    ],
    "stations_public",
)
