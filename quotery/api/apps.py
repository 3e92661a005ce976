from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "quotery.api"
    label = "api"
    verbose_name = "REST API"
