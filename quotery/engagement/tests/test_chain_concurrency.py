"""Appending to one quote's chain from many threads at once keeps it one unbroken chain, with
its head on the quote row in step (SECURITY.md 16, 28). On PostgreSQL the appends contend for
the quote's row lock; on SQLite for the database's write lock."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.core.request_meta import RequestMeta
from quotery.engagement.chain import head_signature, verify_quote_chain
from quotery.engagement.models import QuoteEvent
from quotery.portal.services.sharing import portal_open_record, share_send
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote

THREADS = 8
ROUNDS = 5


@pytest.mark.django_db(transaction=True)
def test_security_28_concurrent_opens_form_one_gap_free_chain_and_keep_its_head() -> None:
    # given a shared quote
    company = CompanyFactory()
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def open_link() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(ROUNDS):
                portal_open_record(share=share, meta=RequestMeta(ip="198.51.100.1", user_agent="t"))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    # when eight clients open the link at the same moment, five times each
    threads = [threading.Thread(target=open_link) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then every open is recorded once, numbered without gaps, the head is the last event,
    # signed, and chain and head verify
    assert errors == []
    sequences = list(
        QuoteEvent.objects.filter(quote=quote)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 42))
    last = QuoteEvent.objects.get(quote=quote, sequence=41)
    assert Quote.objects.values_list("chain_length", "chain_hash", "chain_signature").get(
        pk=quote.pk
    ) == (41, last.hash, head_signature(quote.pk, 41, last.hash))
    assert verify_quote_chain(quote.pk).ok
