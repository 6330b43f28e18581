from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "unionhome.api"
    verbose_name = "API"
