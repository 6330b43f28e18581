from django.urls import path

from unionhome.core.lazy_urls import lazy_view

app_name = "members"
urlpatterns = [
    path("", lazy_view("unionhome.members.views.cadre.desk"), name="desk"),
    path("template.xlsx", lazy_view("unionhome.members.views.cadre.template"), name="template"),
    path(
        "applications/<str:code>/<str:decision>/",
        lazy_view("unionhome.members.views.cadre.decide_application"),
        name="decide_application",
    ),
    path(
        "transfers/<str:code>/<str:decision>/",
        lazy_view("unionhome.members.views.cadre.decide_transfer"),
        name="decide_transfer",
    ),
    path(
        "org/<str:org_code>/", lazy_view("unionhome.members.views.cadre.roster_page"), name="roster"
    ),
    path(
        "org/<str:org_code>/import/",
        lazy_view("unionhome.members.views.cadre.import_roster"),
        name="import",
    ),
    path(
        "org/<str:org_code>/export/",
        lazy_view("unionhome.members.views.cadre.export_roster"),
        name="export",
    ),
    path("person/<str:code>/", lazy_view("unionhome.members.views.cadre.person"), name="person"),
    path(
        "person/<str:code>/leave/", lazy_view("unionhome.members.views.cadre.leave"), name="leave"
    ),
]

public_patterns = (
    [
        path("join/", lazy_view("unionhome.members.views.public.join"), name="join"),
        path(
            "join/unions/",
            lazy_view("unionhome.members.views.public.union_search"),
            name="union_search",
        ),
        path(
            "join/<str:code>/",
            lazy_view("unionhome.members.views.public.application"),
            name="application",
        ),
        path(
            "card/<str:access_key>/",
            lazy_view("unionhome.members.views.public.card_page"),
            name="card",
        ),
        path(
            "card/<str:access_key>/qr/",
            lazy_view("unionhome.members.views.public.card_qr"),
            name="card_qr",
        ),
        path(
            "card/<str:access_key>/transfer/",
            lazy_view("unionhome.members.views.public.card_transfer"),
            name="card_transfer",
        ),
        path("verify/", lazy_view("unionhome.members.views.public.verify"), name="verify"),
    ],
    "members_public",
)
