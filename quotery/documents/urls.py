from django.urls import path

from quotery.documents import views

app_name = "documents"
urlpatterns = [
    path("quotes/<int:pk>/accepted.pdf", views.accepted_quote_pdf, name="accepted_quote_pdf"),
    path(
        "delivery-notes/<int:pk>/delivery-note.pdf",
        views.delivery_note_pdf_view,
        name="delivery_note_pdf",
    ),
]
