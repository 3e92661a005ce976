"""Small, valid inputs for the PDF tests: a quote's content, a PNG and an SVG logo."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from PIL import Image

from quotery.documents.rendering import Branding

BRANDING = Branding(
    name="Northwind Office Supply",
    colour="#0a7d5a",
    portal_text="Thank you for considering us.",
    time_zone="Europe/Berlin",
)

TINY_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="12" viewBox="0 0 40 12">'
    b'<rect width="40" height="12" fill="#0a7d5a"/></svg>'
)


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 8), (10, 125, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def quote_content(
    *, sections: int = 3, lines_per_section: int = 4, currency: str = "EUR"
) -> dict[str, Any]:
    """Revision content in the shape quotery.quotes.content produces, totals consistent."""
    net_by_rate: dict[str, Decimal] = {}
    section_list = []
    for s in range(sections):
        lines = []
        for n in range(lines_per_section):
            net = Decimal(n + 1) * Decimal("12.5")
            rate = "20" if n % 2 else "7"
            net_by_rate[rate] = net_by_rate.get(rate, Decimal(0)) + net
            lines.append(
                {
                    "sku": f"SKU-{s}-{n}",
                    "description": f"Desk lamp model {s + 1}.{n + 1}",
                    "quantity": str(n + 1),
                    "unit_price": "12.5",
                    "discount_percent": "0",
                    "tax_rate": rate,
                    "net": f"{net:f}",
                }
            )
        section_list.append({"title": f"Room {s + 1}", "lines": lines})
    subtotal = sum(net_by_rate.values(), Decimal(0))
    taxes = [
        {"rate": rate, "amount": f"{(base * Decimal(rate) / 100):f}"}
        for rate, base in sorted(net_by_rate.items())
    ]
    tax = sum((Decimal(t["amount"]) for t in taxes), Decimal(0))
    return {
        "content_version": 1,
        "company": BRANDING.name,
        "number": "Q-2026-0042",
        "title": "Office refresh",
        "currency": currency,
        "issue_date": "2026-11-02",
        "valid_until": "2026-12-02",
        "client": "Contoso GmbH",
        "contact": {"name": "Dana Client", "email": "dana@contoso.test"},
        "prepared_by": {"name": "Riley Rep", "email": "riley@northwind.test"},
        "notes": "Delivery within two weeks.\nInstallation included.",
        "sections": section_list,
        "totals": {
            "subtotal": f"{subtotal:f}",
            "discount": "0",
            "taxes": taxes,
            "tax": f"{tax:f}",
            "total": f"{subtotal + tax:f}",
        },
    }
