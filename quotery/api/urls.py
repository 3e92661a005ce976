from django.urls import path, re_path

from quotery.api.api import api, unknown_route

urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^v1/(?P<rest>.*)$", unknown_route),
]
