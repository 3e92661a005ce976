"""factory_boy factories for clients and their contacts (tests and benchmarks)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from quotery.accounts.factories import CompanyFactory
from quotery.clients.models import Client, Contact


class ClientFactory(DjangoModelFactory[Client]):
    class Meta:
        model = Client

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Client {n} GmbH")


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    company = factory.SelfAttribute("client.company")
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@client.test")
