from django.urls import path

from .views import cadre, public

app_name = "members"
urlpatterns = [
    path("", cadre.desk, name="desk"),
    path("template.xlsx", cadre.template, name="template"),
    path(
        "applications/<str:code>/<str:decision>/",
        cadre.decide_application,
        name="decide_application",
    ),
    path("transfers/<str:code>/<str:decision>/", cadre.decide_transfer, name="decide_transfer"),
    path("org/<str:org_code>/", cadre.roster_page, name="roster"),
    path("org/<str:org_code>/import/", cadre.import_roster, name="import"),
    path("org/<str:org_code>/export/", cadre.export_roster, name="export"),
    path("person/<str:code>/", cadre.person, name="person"),
    path("person/<str:code>/leave/", cadre.leave, name="leave"),
]

public_patterns = (
    [
        path("join/", public.join, name="join"),
        path("join/unions/", public.union_search, name="union_search"),
        path("join/<str:code>/", public.application, name="application"),
        path("card/<str:access_key>/", public.card_page, name="card"),
        path("card/<str:access_key>/qr/", public.card_qr, name="card_qr"),
        path("card/<str:access_key>/transfer/", public.card_transfer, name="card_transfer"),
        path("verify/", public.verify, name="verify"),
    ],
    "members_public",
)
