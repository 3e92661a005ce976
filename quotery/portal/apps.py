from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "quotery.portal"
    label = "portal"
