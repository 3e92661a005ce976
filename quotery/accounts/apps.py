from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "quotery.accounts"
    label = "accounts"
