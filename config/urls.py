from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("quotery.home.urls")),
    path("accounts/", include("quotery.accounts.urls")),
    path("quotes/", include("quotery.quotes.urls")),
    path("quotes/", include("quotery.portal.rep_urls")),
    path("p/", include("quotery.portal.urls")),
    path("engagement/", include("quotery.engagement.urls")),
    path("notifications/", include("quotery.notifications.urls")),
    path("billing/", include("quotery.billing.urls")),
    path("documents/", include("quotery.documents.urls")),
    path("mailbox/", include("quotery.notifications.mailbox_urls")),
    path("products/", include("quotery.quotes.product_urls")),
    path("clients/", include("quotery.quotes.client_urls")),
    path("django-admin/", admin.site.urls),
]
