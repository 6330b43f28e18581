from django.urls import path

from unionhome.core.lazy_urls import lazy_view

app_name = "assistance"
urlpatterns = [
    path("", lazy_view("unionhome.assistance.views.case_list"), name="list"),
    path("new/", lazy_view("unionhome.assistance.views.case_create"), name="create"),
    path("follow-ups/", lazy_view("unionhome.assistance.views.follow_ups"), name="follow_ups"),
    path("report/", lazy_view("unionhome.assistance.views.report"), name="report"),
    path(
        "report/export/",
        lazy_view("unionhome.assistance.views.report_export"),
        name="report_export",
    ),
    path("document/<str:code>/", lazy_view("unionhome.assistance.views.document"), name="document"),
    path(
        "grant/<str:code>/pay/", lazy_view("unionhome.assistance.views.grant_pay"), name="grant_pay"
    ),
    path(
        "grant/<str:code>/cancel/",
        lazy_view("unionhome.assistance.views.grant_cancel"),
        name="grant_cancel",
    ),
    path("<str:code>/", lazy_view("unionhome.assistance.views.case_detail"), name="detail"),
    path("<str:code>/edit/", lazy_view("unionhome.assistance.views.case_edit"), name="edit"),
    path("<str:code>/reveal/", lazy_view("unionhome.assistance.views.reveal"), name="reveal"),
    path("<str:code>/<str:action>/", lazy_view("unionhome.assistance.views.act"), name="act"),
]
