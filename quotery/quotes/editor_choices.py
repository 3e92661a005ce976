"""What the quote editor offers to pick: the company's clients, contacts and products.
The editor's forms (quotes.forms) fill their choices from it, and the editor (quotes.editor)
resolves what was picked."""

from __future__ import annotations

from dataclasses import dataclass

from quotery.accounts.models import Company
from quotery.catalog.models import Product
from quotery.clients.models import Client, Contact


@dataclass
class EditorChoices:
    """The company's clients, contacts and products, read once per request: a 200-line
    quote renders 200 product pickers from one query."""

    company: Company
    clients: dict[int, Client]
    contacts: dict[int, Contact]
    products: dict[int, Product]

    @classmethod
    def load(cls, company: Company) -> EditorChoices:
        clients = {c.pk: c for c in Client.objects.filter(company=company).order_by("name")}
        contacts = {
            c.pk: c
            for c in Contact.objects.filter(company=company).order_by("client__name", "name")
        }
        products = {
            p.pk: p
            for p in Product.objects.filter(company=company, is_active=True).order_by("name")
        }
        return cls(company=company, clients=clients, contacts=contacts, products=products)

    @property
    def client_options(self) -> list[tuple[int, str]]:
        return [(pk, c.name) for pk, c in self.clients.items()]

    def contact_options_for(self, client_id: int | None) -> list[tuple[int, str]]:
        """The picked client's contacts; every contact (with its client) before a pick."""
        if client_id in self.clients:
            return [
                (pk, f"{c.name} <{c.email}>")
                for pk, c in self.contacts.items()
                if c.client_id == client_id
            ]
        return [
            (pk, f"{c.name} <{c.email}> · {self.clients[c.client_id].name}")
            for pk, c in self.contacts.items()
            if c.client_id in self.clients
        ]

    @property
    def product_options(self) -> list[tuple[int, str]]:
        return [(pk, f"{p.sku} · {p.name}") for pk, p in self.products.items()]
