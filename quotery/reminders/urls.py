from django.urls import path

from quotery.reminders import views

app_name = "reminders"
urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("quotes/<int:pk>/", views.quote_reminders, name="quote"),
    path("quotes/<int:pk>/extend/", views.extend_validity, name="extend"),
]
