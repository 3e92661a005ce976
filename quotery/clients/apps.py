from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "quotery.clients"
    label = "clients"
