"""The app's URLs plus a bare template page: the yardstick for the portal page."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def bare(request):  # type: ignore[no-untyped-def]
    return render(request, "bench/bare.html", {"title": "Bare page"})


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *app_urlpatterns]
