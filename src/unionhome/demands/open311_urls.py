from django.urls import path

from . import open311

app_name = "open311"
urlpatterns = [
    path("services.json", open311.service_list, name="services"),
    path("services/<str:service_code>.json", open311.service_definition, name="service"),
    path("requests.json", open311.requests_collection, name="requests"),
    path("requests/<str:service_request_id>.json", open311.request_detail, name="request"),
    path("tokens/<str:token>.json", open311.token_detail, name="token"),
]
