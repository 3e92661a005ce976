from __future__ import annotations

from decimal import Decimal

from django import template

from quotery.core.money import UnknownCurrency, format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """{{ quote.total|money:quote.currency }} -> "€1,234.50"."""
    if amount is None:
        return "—"
    try:
        return format_money(amount, currency)
    except UnknownCurrency:
        return f"{amount:f}"


@register.filter
def plain_number(value: Decimal | None) -> str:
    """A quantity or rate without trailing zeros: 2.500 -> "2.5", 20.000 -> "20"."""
    if value is None:
        return ""
    return f"{value.normalize():f}"
