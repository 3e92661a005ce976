"""The client pages (namespace "clients"), listed here because the quotes app is the lowest
floor that knows every one of them: the list and a client's page read quotes
(quotes.client_views); adding and editing clients and contacts are the clients app's views."""

from django.urls import path

from quotery.clients import views
from quotery.quotes import client_views

app_name = "clients"

urlpatterns = [
    path("", client_views.client_list, name="list"),
    path("new/", views.client_new, name="new"),
    path("<int:pk>/", client_views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
]
