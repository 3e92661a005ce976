"""HTTP input for products and stock. Rules live in catalog.services; these forms parse."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from quotery.catalog.services import (
    DESCRIPTION_MAX,
    NAME_MAX,
    REASON_MAX,
    SKU_MAX,
    ProductInput,
)


def decimal_field(
    label: str,
    *,
    example: str,
    max_digits: int,
    decimal_places: int,
    required: bool = True,
    required_message: str | None = None,
    help_text: str = "",
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=max_digits,
        decimal_places=decimal_places,
        help_text=help_text,
        error_messages={
            "required": required_message or f"Enter the {label.lower()}.",
            "invalid": f"Enter a number, like {example}.",
            "max_decimal_places": "Use at most %(max)s decimal places.",
            "max_digits": "That number is too large.",
            "max_whole_digits": "That number is too large.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ProductForm(forms.Form):
    sku = forms.CharField(
        label="SKU",
        max_length=SKU_MAX,
        error_messages={
            "required": "Give the product a SKU.",
            "max_length": f"Keep the SKU under {SKU_MAX} characters.",
        },
    )
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        error_messages={
            "required": "Give the product a name.",
            "max_length": f"Keep the name under {NAME_MAX} characters.",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Keep the description under {DESCRIPTION_MAX} characters."},
    )
    unit_price = decimal_field(
        "Unit price", example="120 or 99.90", max_digits=14, decimal_places=4
    )
    tax_rate = decimal_field("Tax rate %", example="20 or 7.5", max_digits=6, decimal_places=3)
    tracks_stock = forms.BooleanField(
        label="Tracks stock", required=False, help_text="Count what is on hand and reserved."
    )
    is_active = forms.BooleanField(
        label="Active", required=False, help_text="Inactive products cannot be added to quotes."
    )

    def __init__(
        self, *args: Any, currency: str, with_opening_stock: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].help_text = f"In {currency}, before tax."
        if with_opening_stock:
            self.fields["initial_stock"] = decimal_field(
                "Opening stock",
                example="10 or 2.5",
                max_digits=14,
                decimal_places=3,
                required=False,
                help_text="How many are on hand now. Leave empty for none.",
            )

    def product_input(self) -> ProductInput:
        data = self.cleaned_data
        return ProductInput(
            sku=data["sku"],
            name=data["name"],
            description=data["description"],
            unit_price=data["unit_price"],
            tax_rate=data["tax_rate"],
            tracks_stock=data["tracks_stock"],
            is_active=data["is_active"],
        )

    def opening_stock(self) -> Decimal:
        return self.cleaned_data.get("initial_stock") or Decimal(0)


class StockAdjustForm(forms.Form):
    delta = decimal_field(
        "Change",
        example="5 to add or -2 to remove",
        max_digits=14,
        decimal_places=3,
        required_message="Enter how many to add (like 5) or remove (like -2).",
        help_text="Positive adds to on-hand stock, negative removes.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        error_messages={
            "required": "Say why the stock changes (count, delivery, damage...).",
            "max_length": f"Keep the reason under {REASON_MAX} characters.",
        },
    )
