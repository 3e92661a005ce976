from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "quotery.scheduler"
    label = "scheduler"
