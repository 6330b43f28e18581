from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/add/", views.add_child, name="add_child"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/move/", views.move, name="move"),
]
