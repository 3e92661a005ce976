from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "quotery.engagement"
    label = "engagement"
