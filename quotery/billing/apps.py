from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "quotery.billing"
    label = "billing"
