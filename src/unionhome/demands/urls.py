from django.urls import path

from unionhome.core.lazy_urls import lazy_view

app_name = "demands"
urlpatterns = [
    path("", lazy_view("unionhome.demands.views.cadre.inbox"), name="inbox"),
    path("hotline/", lazy_view("unionhome.demands.views.cadre.hotline"), name="hotline"),
    path(
        "photo/<str:code>/",
        lazy_view("unionhome.demands.views.cadre.attachment"),
        name="attachment",
    ),
    path("<str:code>/", lazy_view("unionhome.demands.views.cadre.detail"), name="detail"),
    path(
        "<str:code>/reveal/",
        lazy_view("unionhome.demands.views.cadre.reveal_contact"),
        name="reveal",
    ),
    path("<str:code>/<str:action>/", lazy_view("unionhome.demands.views.cadre.act"), name="act"),
]

public_patterns = (
    [
        path("new/", lazy_view("unionhome.demands.views.public.submit"), name="submit"),
        path("suggest/", lazy_view("unionhome.demands.views.public.suggest"), name="suggest"),
        path("track/", lazy_view("unionhome.demands.views.public.track"), name="track"),
        path(
            "t/<str:tracking_code>/",
            lazy_view("unionhome.demands.views.public.track_page"),
            name="track_page",
        ),
    ],
    "demands_public",
)
