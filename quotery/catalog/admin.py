from django.contrib import admin

from quotery.catalog.models import Product, StockLevel, StockMovement


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["sku", "name", "company", "unit_price", "tax_rate", "tracks_stock", "is_active"]
    list_filter = ["company", "tracks_stock", "is_active"]
    search_fields = ["sku", "name"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin[StockLevel]):
    list_display = ["product", "company", "on_hand", "reserved"]
    list_filter = ["company"]
    # Stock changes go through stock_adjust so every change has a reason.
    readonly_fields = ["company", "product", "on_hand", "reserved"]


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin[StockMovement]):
    list_display = ["product", "delta", "on_hand_after", "reason", "user", "created_at"]
    list_filter = ["company"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
