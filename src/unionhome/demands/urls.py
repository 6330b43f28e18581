from django.urls import path

from .views import cadre, public

app_name = "demands"
urlpatterns = [
    path("", cadre.inbox, name="inbox"),
    path("hotline/", cadre.hotline, name="hotline"),
    path("photo/<str:code>/", cadre.attachment, name="attachment"),
    path("<str:code>/", cadre.detail, name="detail"),
    path("<str:code>/reveal/", cadre.reveal_contact, name="reveal"),
    path("<str:code>/<str:action>/", cadre.act, name="act"),
]

public_patterns = (
    [
        path("new/", public.submit, name="submit"),
        path("suggest/", public.suggest, name="suggest"),
        path("track/", public.track, name="track"),
        path("t/<str:tracking_code>/", public.track_page, name="track_page"),
    ],
    "demands_public",
)
