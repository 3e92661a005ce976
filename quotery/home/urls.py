from django.urls import path

from quotery.home import views

urlpatterns = [
    path("", views.start_page, name="home"),
]
