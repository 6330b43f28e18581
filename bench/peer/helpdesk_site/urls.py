from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="helpdesk/registration/login.html"),
        name="login",
    ),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
