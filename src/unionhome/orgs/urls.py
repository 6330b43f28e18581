from django.urls import path

from unionhome.core.lazy_urls import lazy_view

app_name = "orgs"
urlpatterns = [
    path("", lazy_view("unionhome.orgs.views.tree"), name="tree"),
    path("<str:code>/", lazy_view("unionhome.orgs.views.detail"), name="detail"),
    path("<str:code>/children/", lazy_view("unionhome.orgs.views.children"), name="children"),
    path("<str:code>/add/", lazy_view("unionhome.orgs.views.add_child"), name="add_child"),
    path("<str:code>/edit/", lazy_view("unionhome.orgs.views.edit"), name="edit"),
    path("<str:code>/move/", lazy_view("unionhome.orgs.views.move"), name="move"),
]
