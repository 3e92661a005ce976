"""Read-only views of quotes for support staff: every change goes through the services."""

from django.contrib import admin

from quotery.quotes.models import DeliveryNote, Quote, QuoteRevision


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "company", "client", "owner", "state", "total", "currency"]
    list_filter = ["company", "state"]
    search_fields = ["number", "title", "client__name"]


@admin.register(QuoteRevision)
class QuoteRevisionAdmin(ReadOnlyAdmin):
    list_display = ["quote", "number", "content_hash", "created_at"]


@admin.register(DeliveryNote)
class DeliveryNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "quote", "state", "created_at"]
