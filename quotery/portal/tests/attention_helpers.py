"""A counted view of a shared quote, as the attention tests need it: the client's GET of
the page and its view beacon, through the real views."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.tests.portal_fixtures import Shared


@dataclass(frozen=True)
class CountedPage:
    shared: Shared
    view_token: str

    @property
    def url(self) -> str:
        return reverse("portal:attention", args=[self.shared.token])

    def send(self, client: HttpClient, sections: object, **extra: Any):  # type: ignore[no-untyped-def]
        """Posts a batch as the page's script does (`sections` as JSON unless a string);
        `extra`: request headers and environ (REMOTE_ADDR...)."""
        text = sections if isinstance(sections, str) else json.dumps(sections)
        return client.post(self.url, {"open": self.view_token, "sections": text}, **extra)


def page_token(html: str) -> str:
    match = re.search(r'data-open="([^"]+)"', html)
    assert match, "the page carries no token for the beacons"
    return match.group(1)


def open_page(client: HttpClient, shared: Shared, *, counted: bool = True) -> CountedPage:
    """The client opens the link; `counted`: its view beacon confirms a visible browser."""
    response = client.get(shared.url)
    assert response.status_code == 200
    token = page_token(response.content.decode())
    if counted:
        assert client.post(shared.seen_url, {"open": token}).status_code == 204
    return CountedPage(shared, token)


def attention_events(quote_id: int) -> list[QuoteEvent]:
    return list(
        QuoteEvent.objects.filter(quote_id=quote_id, kind=EventKind.SECTION_TIME).order_by(
            "sequence"
        )
    )


def seconds_stored(quote_id: int) -> dict[str, int]:
    """Every SECTION_TIME event's seconds added up per part."""
    totals: dict[str, int] = {}
    for event in attention_events(quote_id):
        for part, seconds in event.data["sections"].items():
            totals[part] = totals.get(part, 0) + seconds
    return totals
