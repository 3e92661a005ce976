from django.urls import path

from quotery.engagement import views

app_name = "engagement"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
