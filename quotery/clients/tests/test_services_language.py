"""A client's language: one of LANGUAGES or blank (the company's); anything else is refused
with nothing written (quotery.clients.services)."""

from __future__ import annotations

import pytest

from quotery.clients.factories import ClientFactory
from quotery.clients.models import Client
from quotery.clients.services import client_create, client_update
from quotery.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_client_is_created_with_a_language(company):
    client = client_create(company=company, name="Muster GmbH", language="de")
    assert Client.objects.get(pk=client.pk).language == "de"


def test_an_unknown_language_is_refused_and_nothing_written(company):
    client = ClientFactory(company=company, name="Muster GmbH", language="de")
    with pytest.raises(ValidationFailed) as refused:
        client_update(client=client, name="Renamed", language="fr")
    assert refused.value.field_errors == {
        "language": ["Pick a language from the list, or the company's."]
    }
    client.refresh_from_db()
    assert (client.name, client.language) == ("Muster GmbH", "de")
    with pytest.raises(ValidationFailed):
        client_create(company=company, name="Other", language="xx")
    assert not Client.objects.filter(name="Other").exists()
