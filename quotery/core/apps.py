from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "quotery.core"
    label = "core"
