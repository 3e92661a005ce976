from django.urls import path, re_path
from django.views.generic import RedirectView

from quotery.api.api import api_urls, unknown_route

urlpatterns = [
    # The API's root leads a person to its docs.
    path("v1/", RedirectView.as_view(url="/api/v1/docs/", permanent=False)),
    path("v1/", api_urls()),
    re_path(r"^v1/(?P<rest>.*)$", unknown_route),
]
