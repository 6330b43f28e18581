from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report_export"),
    path("document/<str:code>/", views.document, name="document"),
    path("grant/<str:code>/pay/", views.grant_pay, name="grant_pay"),
    path("grant/<str:code>/cancel/", views.grant_cancel, name="grant_cancel"),
    path("<str:code>/", views.case_detail, name="detail"),
    path("<str:code>/edit/", views.case_edit, name="edit"),
    path("<str:code>/reveal/", views.reveal, name="reveal"),
    path("<str:code>/<str:action>/", views.act, name="act"),
]
