from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "quotery.documents"
    label = "documents"
