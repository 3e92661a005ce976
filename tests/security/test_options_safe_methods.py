"""SECURITY.md 9 on a quote with options: a GET of any of its client addresses, even one
carrying choices in its query string (a crafted or scanned link), saves no choice, records
no option change and accepts nothing; a HEAD records nothing at all.

Exercises: quotery.portal.views.client.page, quotery.portal.views.client.attention,
quotery.portal.views.client.pdf, quotery.portal.views.choices.choices,
quotery.portal.views.acceptance.accept, quotery.portal.views.acceptance.accepted_pdf_download,
quotery.portal.views.answers
"""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.engagement.models import EventKind, PendingOpen
from quotery.portal.tests.portal_fixtures import Shared, footprint, share_options_quote
from quotery.quotes.options import default_configuration
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

NAMES = ("page", "choices", "accept", "attention", "pdf", "accepted_pdf", "changes", "decline")
# The choices a client would post, in a query string.
CHOICES = "include=0.1&choose.1=1.0&quantity.0.2=8"


def addresses(shared: Shared) -> list[str]:
    content = json.loads(shared.quote.revisions.get().content)
    configuration_hash = default_configuration(content).hash()
    return [
        f"{reverse(f'portal:{name}', args=[shared.token])}?{CHOICES}"
        f"&configuration_hash={configuration_hash}&consent=on&signer_name=Anna"
        for name in NAMES
    ]


def state(shared: Shared) -> dict[str, object]:
    """Business state: everything an acceptance writes, and the link's kept choices."""
    share = PortalShare.objects.get(pk=shared.share.pk)
    return {**footprint(shared.quote), "choices": (share.choices, share.choices_content_hash)}


def test_security_9_get_of_any_options_address_saves_no_choice_and_accepts_nothing(rep) -> None:
    shared = share_options_quote(rep)
    visitor = HttpClient()
    before = state(shared)

    for url in addresses(shared):
        response = visitor.get(url)
        assert response.status_code in (200, 302, 303, 405), (url, response.status_code)

    # the fetches may be recorded as such (an open, a PDF download); nothing else is
    after = state(shared)
    fetched = (EventKind.LINK_OPENED, EventKind.PDF_DOWNLOADED)
    after["events"] = [
        (quote_id, kind)
        for quote_id, kind in after["events"]  # type: ignore[attr-defined]
        if kind not in fetched
    ]
    assert after == before


def test_security_9_head_of_any_options_address_records_nothing(rep) -> None:
    shared = share_options_quote(rep)
    visitor = HttpClient()
    before = (state(shared), PendingOpen.objects.count())

    for url in addresses(shared):
        response = visitor.head(url)
        assert response.status_code in (200, 302, 303, 405), (url, response.status_code)

    assert (state(shared), PendingOpen.objects.count()) == before
