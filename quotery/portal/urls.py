"""The client's side of a portal link, mounted at /p/. Everything under /p/ that is not one
of these pages gets the same 404 as an unknown link (and counts towards its rate limit)."""

from django.urls import URLPattern, path, re_path

from quotery.portal.views import acceptance, answers, choices, client

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("preview/<int:pk>/", client.preview, name="preview"),
    path("<str:token>/", client.page, name="page"),
    path("<str:token>/seen/", client.seen, name="seen"),
    path("<str:token>/attention/", client.attention, name="attention"),
    path("<str:token>/pdf/", client.pdf, name="pdf"),
    path("<str:token>/choices/", choices.choices, name="choices"),
    path("<str:token>/accept/", acceptance.accept, name="accept"),
    path("<str:token>/accepted-pdf/", acceptance.accepted_pdf_download, name="accepted_pdf"),
    path("<str:token>/changes/", answers.request_changes, name="changes"),
    path("<str:token>/decline/", answers.decline, name="decline"),
    path("<str:token>/messages/", answers.message, name="message"),
    re_path(r"^(?P<rest>.*)$", client.not_found),
]
