from django.urls import path  # noqa: F401

app_name = "mailbox"
urlpatterns: list = []  # type: ignore[type-arg]
