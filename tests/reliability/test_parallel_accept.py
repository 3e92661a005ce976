"""SECURITY.md 18: twenty clients accepting one quote at the same instant, over real HTTP to
a live server, produce exactly one acceptance and one of each thing it sets off.

Exercises: quotery.portal.services.sharing.share_send,
quotery.engagement.chain.verify_quote_chain, quotery.portal.views.acceptance.accept
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parseaddr

import pytest
from django.db import connection

from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockLevel
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, OutboxEmail
from quotery.portal.tests.portal_fixtures import latest_revision_hash, share_quote
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, Line, QuoteState
from quotery.sharing.models import Acceptance

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Real parallel writers need PostgreSQL: SQLite admits one writer at a time, "
        "so it cannot show a race (run with DATABASE_URL=postgres://...).",
    ),
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 20
TIMEOUT = 30


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # the test looks at the 302 itself


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


class Browser:
    """One client with its own cookies and connection, as a separate browser would be."""

    def __init__(self, base: str, number: int) -> None:
        self.base = base
        self.number = number
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def _send(self, request: urllib.request.Request) -> Answer:
        request.add_header("User-Agent", f"ParallelClient/{self.number}")
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Answer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(), error.headers.get("Location", ""))

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path))  # noqa: S310 (live server)

    def post(self, path: str, data: dict[str, str]) -> Answer:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310
        return self._send(request)


def form_fields(html: str) -> dict[str, str]:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    revision = re.search(r'name="revision_hash" value="([0-9a-f]{64})"', html)
    assert token and revision, "the accept form carries a CSRF token and the revision hash"
    return {"csrfmiddlewaretoken": token.group(1), "revision_hash": revision.group(1)}


def test_security_18_twenty_parallel_accepts_make_one_acceptance_and_one_of_each_effect(
    live_server, smtp_server, settings, rep, company
) -> None:  # type: ignore[no-untyped-def]
    # given a quote with product lines, shared with the client
    settings.BASE_URL = live_server.url
    desk = ProductFactory(company=company, sku="DESK-1", stock=Decimal(10))
    lamp = ProductFactory(company=company, sku="LAMP-1", stock=Decimal(1))
    shared = share_quote(
        rep, products=[desk, None, lamp], quantities=[Decimal(3), Decimal(1), Decimal(2)]
    )
    accept_path = f"/p/{shared.token}/accept/"
    form_path = f"{accept_path}?r={latest_revision_hash(shared.quote)}"

    # and twenty browsers that each opened the accept form
    browsers = [Browser(live_server.url, n) for n in range(CLIENTS)]
    fields = []
    for browser in browsers:
        opened = browser.get(form_path)
        assert opened.status == 200
        fields.append(form_fields(opened.body))

    # when all of them press Accept at the same instant
    barrier = threading.Barrier(CLIENTS, timeout=TIMEOUT)
    answers: list[Answer | BaseException] = [RuntimeError("no answer")] * CLIENTS

    def press_accept(n: int) -> None:
        data = {
            **fields[n],
            "signer_name": f"Signer {n}",
            "signer_email": f"signer{n}@client.test",
            "consent": "on",
        }
        try:
            barrier.wait()
            answers[n] = browsers[n].post(accept_path, data)
        except BaseException as error:  # reported below, with the others
            answers[n] = error

    threads = [threading.Thread(target=press_accept, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    elapsed = time.monotonic() - started

    # then one request accepted and every other one got the friendly page; no errors
    problems = [a for a in answers if not isinstance(a, Answer)]
    assert not problems, problems
    statuses = sorted(a.status for a in answers if isinstance(a, Answer))
    assert statuses == [200] * (CLIENTS - 1) + [302], statuses
    winner = next(n for n, a in enumerate(answers) if isinstance(a, Answer) and a.status == 302)
    for answer in answers:
        assert isinstance(answer, Answer)
        if answer.status == 200:
            # (that the page also shows the accepted summary and the PDF link after a race
            # is test_acceptance_views.test_security_18_a_post_that_lost_the_race_...)
            assert "This quote has already been accepted." in answer.body

    # exactly one acceptance, by the winner, and one accepted event in an intact chain
    acceptance = Acceptance.objects.get()
    assert acceptance.signer_email == f"signer{winner}@client.test"
    assert acceptance.user_agent == f"ParallelClient/{winner}"
    assert QuoteEvent.objects.filter(quote=shared.quote, kind=EventKind.QUOTE_ACCEPTED).count() == 1
    assert verify_quote_chain(shared.quote.pk).ok
    shared.quote.refresh_from_db()
    assert shared.quote.state == QuoteState.CLOSED

    # one delivery note with one line per quote line: stock reserved once, shortfall backordered
    note = DeliveryNote.objects.get()
    quote_lines = Line.objects.filter(quote=shared.quote).count()
    assert DeliveryNoteLine.objects.filter(note=note).count() == quote_lines == 3
    assert StockLevel.objects.get(product=desk).reserved == Decimal(3)
    assert StockLevel.objects.get(product=lamp).reserved == Decimal(1)
    assert sorted(
        DeliveryNoteLine.objects.exclude(product=None).values_list(
            "reserved_quantity", "backorder_quantity"
        )
    ) == [(Decimal(1), Decimal(1)), (Decimal(3), Decimal(0))]

    # one notification, one outbox row per recipient, and one email per recipient
    assert Notification.objects.count() == 1
    rows = sorted(
        OutboxEmail.objects.filter(kind__startswith="acceptance_").values_list("kind", "to_email")
    )
    assert rows == [
        ("acceptance_client", f"signer{winner}@client.test"),
        ("acceptance_rep", rep.email),
    ]
    acceptance_mail = [m for m in smtp_server.wait_for(2) if "accept" in str(m["Subject"]).lower()]
    time.sleep(0.2)  # anything sent twice would arrive within this
    recipients = sorted(
        parseaddr(str(m["To"]))[1]
        for m in smtp_server.messages
        if "accept" in str(m["Subject"]).lower()
    )
    assert recipients == sorted([rep.email, f"signer{winner}@client.test"]), acceptance_mail
    assert elapsed < TIMEOUT
