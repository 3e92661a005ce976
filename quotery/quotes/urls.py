from django.urls import path

from quotery.quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_new, name="new"),
    path("editor/totals/", views.editor_totals_view, name="editor_totals"),
    path("<int:pk>/", views.quote_detail, name="detail"),
    path("<int:pk>/edit/", views.quote_edit, name="edit"),
    path("<int:pk>/cancel/", views.quote_cancel, name="cancel"),
    path("<int:pk>/duplicate/", views.quote_duplicate, name="duplicate"),
    path("delivery-notes/", views.delivery_note_list, name="delivery_notes"),
    path("delivery-notes/<int:pk>/", views.delivery_note_detail, name="delivery_note"),
    path(
        "delivery-notes/<int:pk>/cancel/",
        views.delivery_note_cancel,
        name="delivery_note_cancel",
    ),
    path("delivery-notes/<int:pk>/ship/", views.delivery_note_ship, name="delivery_note_ship"),
]
