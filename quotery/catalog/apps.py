from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "quotery.catalog"
    label = "catalog"
