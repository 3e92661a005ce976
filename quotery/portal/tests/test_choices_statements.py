"""A choice change's hand-written reads and writes (the page's script sends one on every
tick): the link, its choices and its quote read in one query under the lock, both rate
limits counted in one statement, and a fixed, short list of statements per change."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.tests.tampering import verify
from quotery.portal import ratelimit
from quotery.portal.models import RateLimitCounter
from quotery.portal.selectors import share_choices_locked
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.portal.tests.portal_fixtures import Shared, share_options_quote
from quotery.quotes.locks import quote_lock
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

SCRIPT = {"X-Quotery-Choices": "1"}
# Four states, each one change from the one before: the warranty in, 8 hours, the
# warranty out, 6.5 hours again.
STATES = [
    {"include": "0.1", "choose.1": "1.1", "quantity.0.2": "6.5"},
    {"include": "0.1", "choose.1": "1.1", "quantity.0.2": "8"},
    {"choose.1": "1.1", "quantity.0.2": "8"},
    {"choose.1": "1.1", "quantity.0.2": "6.5"},
]


def choices_url(shared: Shared) -> str:
    return reverse("portal:choices", args=[shared.token])


def locked(share: PortalShare):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        quote_lock(share.quote_id)
        return share_choices_locked(share)


def test_the_locked_read_gives_the_saved_choices_and_the_quote_with_its_company(rep):
    shared = share_options_quote(rep)
    PortalShare.objects.filter(pk=shared.share.pk).update(
        choices='{"x":1}', choices_content_hash="a" * 64
    )

    saved = locked(shared.share)

    assert saved is not None
    assert (saved.choices, saved.choices_content_hash) == ('{"x":1}', "a" * 64)
    quote = saved.quote
    assert quote.pk == shared.quote.pk and quote.company_id == shared.quote.company_id
    assert quote.state == shared.quote.state and quote.valid_until == shared.quote.valid_until
    assert quote.revision_number == shared.quote.revision_number
    assert quote.created_at == shared.quote.created_at
    assert (quote.chain_length, quote.chain_hash) == (
        shared.quote.chain_length,
        shared.quote.chain_hash,
    )
    zone = shared.quote.company.zone
    with CaptureQueriesContext(connection) as queries:
        assert quote.company.zone == zone
    assert len(queries) == 0  # the company came with the quote


def test_the_locked_read_finds_nothing_for_a_revoked_or_reissued_link(rep):
    shared = share_options_quote(rep)
    old = PortalShare.objects.get(pk=shared.share.pk)
    share_revoke(share=PortalShare.objects.get(pk=old.pk), user=rep)
    assert locked(old) is None  # revoked

    again = share_send(
        quote=shared.quote,
        user=rep,
        recipient_name="Anna Client",
        recipient_email=old.recipient_email,
    )
    assert again.pk == old.pk and again.key != old.key
    assert locked(old) is None  # the old link of a share issued again
    assert locked(again) is not None


def test_a_reissued_link_changes_no_choice_and_records_nothing(client, rep):
    shared = share_options_quote(rep)
    share = PortalShare.objects.get(pk=shared.share.pk)
    share_revoke(share=share, user=rep)
    share_send(
        quote=shared.quote,
        user=rep,
        recipient_name="Anna Client",
        recipient_email=share.recipient_email,
    )
    before = PortalShare.objects.get(pk=share.pk).choices

    response = client.post(choices_url(shared), STATES[0], headers=SCRIPT)

    assert response.status_code == 404
    assert PortalShare.objects.get(pk=share.pk).choices == before
    assert not QuoteEvent.objects.filter(kind=EventKind.OPTION_CHANGED).exists()


def test_both_buckets_count_in_one_statement_and_each_keeps_its_own_count():
    per_ip = ratelimit.limit(ratelimit.CHOICE.per_ip)
    per_link = ratelimit.limit(ratelimit.CHOICE.per_link_ip)
    now = 1_000_000.0
    ratelimit.hits_counted(per_link, "7|203.0.113.9", now=now)  # the link's bucket ahead

    with CaptureQueriesContext(connection) as queries:
        counted = ratelimit.hits_counted_together(
            [(per_ip, "203.0.113.9"), (per_link, "7|203.0.113.9")], now=now
        )

    assert counted == [1, 2]
    assert len([q for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]) == 1
    counted = ratelimit.hits_counted_together(
        [(per_link, "7|203.0.113.9"), (per_ip, "203.0.113.9")], now=now
    )
    assert counted == [3, 2]
    assert sorted(RateLimitCounter.objects.values_list("hits", flat=True)) == [2, 3]


def test_a_choice_change_over_the_address_limit_is_refused_and_counted_in_both_buckets(
    client, rep, settings
):
    settings.PORTAL_RATE_LIMITS = {
        ratelimit.CHOICE.per_ip: (2, 600),
        ratelimit.CHOICE.per_link_ip: (5, 600),
    }
    shared = share_options_quote(rep)
    answers = [
        client.post(choices_url(shared), STATES[i], headers=SCRIPT).status_code for i in range(3)
    ]

    assert answers == [204, 204, 429]
    assert sorted(RateLimitCounter.objects.values_list("hits", flat=True)) == [3, 3]
    assert QuoteEvent.objects.filter(kind=EventKind.OPTION_CHANGED).count() == 2


def test_a_choice_change_runs_a_short_fixed_list_of_statements_and_the_chain_verifies(rep):
    shared = share_options_quote(rep)
    browser = HttpClient()
    browser.get(shared.url)
    counts = []
    for state in STATES * 2:
        with CaptureQueriesContext(connection) as queries:
            assert browser.post(choices_url(shared), state, headers=SCRIPT).status_code == 204
        counts.append(len([q for q in queries if "SAVEPOINT" not in q["sql"]]))

    # the link; both limits; the link, its choices, the quote and its company (with the
    # quote's lock on PostgreSQL); the choices, the chain head, the event and its two
    # rollups, in one statement on PostgreSQL (and the first hit of a window forgets the
    # windows closed long ago, once)
    expected = 8 if connection.vendor == "sqlite" else 4
    assert counts == [expected + 1] + [expected] * (len(counts) - 1), counts
    assert QuoteEvent.objects.filter(kind=EventKind.OPTION_CHANGED).count() == len(counts)
    assert "quote(s) verified." in verify()  # raises on any broken chain


def test_changes_of_one_save_are_chained_in_one_append_in_order(client, rep):
    shared = share_options_quote(rep)
    client.post(choices_url(shared), STATES[0], headers=SCRIPT)  # the warranty in

    # the warranty out, 8 hours and oak, in one save
    client.post(choices_url(shared), {"choose.1": "1.0", "quantity.0.2": "8"}, headers=SCRIPT)

    rows = list(
        QuoteEvent.objects.filter(quote_id=shared.quote.pk, kind=EventKind.OPTION_CHANGED)
        .order_by("sequence")
        .values_list("sequence", "data")
    )
    assert [data["change"] for _, data in rows] == ["added", "removed", "quantity", "chose"]
    sequences = [sequence for sequence, _ in rows]
    assert sequences == list(range(sequences[0], sequences[0] + 4))
    assert "quote(s) verified." in verify()  # raises on any broken chain
