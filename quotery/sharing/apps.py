from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "quotery.sharing"
    label = "sharing"
