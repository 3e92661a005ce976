from django.urls import path

from quotery.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.payment_list, name="list"),
    path("<int:pk>/status/", views.payment_status_update, name="set_status"),
    path("instructions/", views.payment_instructions, name="instructions"),
]
