from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "quotery.home"
    label = "home"
