from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("quotery.home.urls")),
    path("accounts/settings/webhooks/", include("quotery.webhooks.urls")),
    path("accounts/", include("quotery.accounts.urls")),
    path("accounts/api-keys/", include("quotery.api.settings_urls")),
    path("quotes/", include("quotery.quotes.urls")),
    path("quotes/", include("quotery.portal.rep_urls")),
    path("p/", include("quotery.portal.urls")),
    path("engagement/", include("quotery.engagement.urls")),
    path("notifications/", include("quotery.notifications.urls")),
    path("billing/", include("quotery.billing.urls")),
    path("reminders/", include("quotery.reminders.urls")),
    path("documents/", include("quotery.documents.urls")),
    path("mailbox/", include("quotery.notifications.mailbox_urls")),
    path("products/", include("quotery.quotes.product_urls")),
    path("clients/", include("quotery.quotes.client_urls")),
    path("api/", include("quotery.api.urls")),
    path("django-admin/", admin.site.urls),
]
