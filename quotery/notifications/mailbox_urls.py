from django.urls import path

from quotery.notifications import views

app_name = "mailbox"
urlpatterns = [
    path("", views.mailbox_list, name="list"),
    path("<str:name>/", views.mailbox_message_detail, name="message"),
]
