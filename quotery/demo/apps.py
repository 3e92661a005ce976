from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "quotery.demo"
    label = "demo"
