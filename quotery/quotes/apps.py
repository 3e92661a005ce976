from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "quotery.quotes"
    label = "quotes"
