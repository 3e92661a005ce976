from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "quotery.notifications"
    label = "notifications"
