"""Two tabs save the client's choices at the same moment on PostgreSQL: the link's choices
are read under the quote's lock, so a change is recorded once and the chain stays whole."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict

from quotery.core.request_meta import RequestMeta
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.tests.tampering import verify
from quotery.portal.forms import choices_data_from_post
from quotery.portal.selectors import revision_content
from quotery.portal.services.choices import portal_choices_save
from quotery.portal.tests.portal_fixtures import share_options_quote
from quotery.sharing.models import PortalShare
from tests.concurrency import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and parallel writers are a PostgreSQL concern; SQLite's IMMEDIATE "
        "transactions admit one writer at a time",
    ),
]

META = RequestMeta(ip="203.0.113.9", user_agent="Browser")


def save(share_pk: int, form: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    """A job saving the options form `form` (as the page posts it) through the link."""

    def job() -> object:
        share = PortalShare.objects.select_related("quote").get(pk=share_pk)
        content = revision_content(share.quote).content
        data = choices_data_from_post(content, QueryDict(urlencode(form, doseq=True)))
        return portal_choices_save(share=share, data=data, meta=META, by_client=True)

    return job


def test_the_same_change_from_two_tabs_at_once_is_recorded_once(rep):
    shared = share_options_quote(rep)
    data = {"include": ["0.1"], "choose.1": "1.1", "quantity.0.2": "6.5"}

    _, errors = run_at_once([save(shared.share.pk, data)] * 2)

    assert errors == []
    events = QuoteEvent.objects.filter(quote_id=shared.quote.pk, kind=EventKind.OPTION_CHANGED)
    assert [event.data["change"] for event in events] == ["added"]
    assert "quote(s) verified." in verify()


def test_different_changes_at_once_each_chain_after_the_other(rep):
    shared = share_options_quote(rep)
    forms: list[dict[str, Any]] = [
        {"include": ["0.1"], "choose.1": "1.1", "quantity.0.2": "6.5"},
        {"choose.1": "1.0", "quantity.0.2": "6.5"},
        {"choose.1": "1.1", "quantity.0.2": "9"},
    ]

    _, errors = run_at_once([save(shared.share.pk, form) for form in forms])

    assert errors == []
    sequences = list(
        QuoteEvent.objects.filter(quote_id=shared.quote.pk).values_list("sequence", flat=True)
    )
    assert sequences == sorted(sequences) == list(range(1, len(sequences) + 1))
    assert QuoteEvent.objects.filter(kind=EventKind.OPTION_CHANGED).count() >= 3
    assert "quote(s) verified." in verify()
