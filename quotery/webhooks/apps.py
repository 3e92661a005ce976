from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "quotery.webhooks"
    label = "webhooks"
