from django.urls import path

from quotery.documents import views

app_name = "documents"
urlpatterns = [
    path("quotes/<int:pk>/accepted.pdf", views.accepted_quote_pdf, name="accepted_quote_pdf"),
]
