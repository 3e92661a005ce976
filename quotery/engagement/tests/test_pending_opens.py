"""Opens recorded without the chain (the client page's GET) and chained later: by the view
beacon together with its view, or when the log is read. Same facts in the chain as a direct
append would give, each open chained exactly once, and `verify` still checks everything."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.template import Context
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.models import IpRecording, Plan
from quotery.core.request_meta import RequestMeta
from quotery.engagement.chain import (
    pending_opens_fold,
    pending_opens_fold_for_company,
    verify_quote_chain,
)
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.engagement.pending_opens import pending_open_count
from quotery.engagement.templatetags.engagement_rep import quote_engagement
from quotery.engagement.tests.conftest import BROWSER, SCANNER, shared
from quotery.engagement.verification.chains import chain_checks
from quotery.portal.services.sharing import portal_open_record_pending, portal_view_confirm
from quotery.portal.view_confirmation import view_token_for
from quotery.quotes.locks import quote_chain_head
from quotery.quotes.models import Quote
from quotery.sharing.links import share_token
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 3, 9, 14, 30, 15, 123456, tzinfo=dt.UTC)


def loaded(share: PortalShare) -> PortalShare:
    """The share as the portal's link lookup loads it (with its quote and company)."""
    return PortalShare.objects.select_related("quote__company").get(pk=share.pk)


def kinds(quote_id: int) -> list[str]:
    return list(
        QuoteEvent.objects.filter(quote_id=quote_id)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def test_security_16_a_waiting_open_is_chained_with_the_facts_it_was_recorded_with(rep):
    # given a company that keeps anonymised addresses, and a client's open at a set moment
    share = loaded(shared(rep))
    share.quote.company.ip_recording = IpRecording.ANONYMISED
    share.quote.company.save()
    with time_machine.travel(MOMENT, tick=False):
        pending = portal_open_record_pending(share=share, meta=BROWSER)
    assert kinds(share.quote_id) == [EventKind.QUOTE_SHARED]  # not in the chain yet
    head = quote_chain_head(share.quote_id)

    # when the quote's log is folded
    assert pending_opens_fold(share.quote_id) == 1

    # then the open is the next link, with the facts of the GET, and the pending row is gone
    opened = QuoteEvent.objects.get(quote_id=share.quote_id, kind=EventKind.LINK_OPENED)
    assert opened.sequence == head.length + 1
    assert opened.occurred_at == MOMENT
    assert (opened.share_id, opened.recipient_email) == (share.pk, "anna@client.test")
    assert (opened.ip, opened.user_agent) == ("203.0.113.0", BROWSER.user_agent)
    assert (opened.revision_number, opened.data) == (1, {"pending": pending})
    assert not PendingOpen.objects.exists()
    assert quote_chain_head(share.quote_id).length == head.length + 1
    assert verify_quote_chain(share.quote_id).ok


def test_folding_again_chains_nothing_twice(rep):
    share = loaded(shared(rep))
    for meta in (SCANNER, BROWSER):
        portal_open_record_pending(share=share, meta=meta)

    assert pending_opens_fold(share.quote_id) == 2
    assert pending_opens_fold(share.quote_id) == 0
    assert pending_opens_fold_for_company(share.company_id) == 0

    assert kinds(share.quote_id) == [EventKind.QUOTE_SHARED, *[EventKind.LINK_OPENED] * 2]
    assert verify_quote_chain(share.quote_id).ok


def test_security_10_the_beacon_chains_the_waiting_opens_then_its_view_in_one_head_move(rep):
    # given a link scanner's open and then the client's, both waiting
    share = loaded(shared(rep))
    portal_open_record_pending(share=share, meta=SCANNER)
    client_open = portal_open_record_pending(share=share, meta=BROWSER)
    head = quote_chain_head(share.quote_id)

    # when the client's page confirms its open
    counted = portal_view_confirm(
        share=share,
        view_token=view_token_for(share=share, pending_open=client_open),
        meta=BROWSER,
    )

    # then both opens are chained in the order they came, and the view names the client's
    assert counted
    rows = list(QuoteEvent.objects.filter(quote_id=share.quote_id).order_by("sequence"))
    assert [(row.kind, row.data) for row in rows[head.length :]] == [
        (EventKind.LINK_OPENED, {"pending": client_open - 1}),
        (EventKind.LINK_OPENED, {"pending": client_open}),
        (EventKind.QUOTE_VIEWED, {"open": head.length + 2}),
    ]
    assert rows[-1].confirmed_open == head.length + 2
    assert quote_chain_head(share.quote_id).length == head.length + 3
    assert not PendingOpen.objects.exists()
    assert verify_quote_chain(share.quote_id).ok


def test_security_10_a_beacon_after_its_open_was_chained_by_a_read_counts_it_once(rep):
    # given a client's open that a read of the log chained before the beacon came
    share = loaded(shared(rep))
    pending = portal_open_record_pending(share=share, meta=BROWSER)
    pending_opens_fold(share.quote_id)
    opened = QuoteEvent.objects.get(quote_id=share.quote_id, kind=EventKind.LINK_OPENED)
    token = view_token_for(share=share, pending_open=pending)

    # when the beacon comes, twice
    first = portal_view_confirm(share=share, view_token=token, meta=BROWSER)
    again = portal_view_confirm(share=share, view_token=token, meta=BROWSER)

    # then one view counts, confirming that open
    assert (first, again) == (True, False)
    views = QuoteEvent.objects.filter(quote_id=share.quote_id, kind=EventKind.QUOTE_VIEWED)
    assert [view.data for view in views] == [{"open": opened.sequence}]
    assert verify_quote_chain(share.quote_id).ok


def test_security_10_a_beacon_naming_another_links_open_counts_nothing_and_chains_nothing(rep):
    # given Bob's open waiting on the quote Anna also holds a link to
    anna = loaded(shared(rep))
    bob = loaded(
        PortalShare.objects.create(
            company_id=anna.company_id,
            quote_id=anna.quote_id,
            recipient_name="Bob",
            recipient_email="bob@client.test",
            key="b" * 32,
            created_by=rep,
        )
    )
    bobs_open = portal_open_record_pending(share=bob, meta=BROWSER)
    before = kinds(anna.quote_id)

    # when Anna's link confirms Bob's open with a token made for Anna's link
    counted = portal_view_confirm(
        share=anna, view_token=view_token_for(share=anna, pending_open=bobs_open), meta=BROWSER
    )

    # then nothing is counted and nothing was written
    assert not counted
    assert kinds(anna.quote_id) == before
    assert pending_open_count(anna.quote_id) == 1


def test_security_28_verify_names_the_opens_waiting_to_be_chained(rep):
    share = loaded(shared(rep))
    portal_open_record_pending(share=share, meta=SCANNER)

    events_check, head_check = chain_checks(Quote.objects.get(pk=share.quote_id))

    assert events_check.ok and head_check.ok
    assert events_check.detail == "1 events chained; 1 opens recorded, not chained yet"


def test_the_engagement_section_shows_a_waiting_open_as_a_scanner_open(rep):
    # given a link scanner's open, not chained yet
    share = loaded(shared(rep))
    portal_open_record_pending(share=share, meta=SCANNER)
    quote = Quote.objects.get(pk=share.quote_id)

    # when the rep's quote page renders its Engagement section
    section = quote_engagement(Context({"membership": rep.membership}), quote)

    # then the open is there, apart from the views, as a direct append would show it
    assert section["summary"].scanner_opens == 1
    assert section["summary"].views == 0
    assert [entry.kind for entry in section["timeline"].scanner_opens] == [EventKind.LINK_OPENED]
    assert not PendingOpen.objects.exists()


def test_the_engagement_page_counts_waiting_opens(rep, login, company):
    # given a Pro company's quote with a scanner's open waiting to be chained
    company.plan = Plan.PRO
    company.save()
    share = loaded(shared(rep))
    portal_open_record_pending(share=share, meta=SCANNER)

    response = login(rep).get(reverse("engagement:dashboard"))

    assert response.status_code == 200
    assert response.context["stats"].scanner_opens == 1
    assert not PendingOpen.objects.exists()


def test_an_open_recorded_inside_a_transaction_rolls_back_with_it(rep):
    # The page records its open outside any transaction; a caller inside one gets its
    # transaction's durability and fate.
    share = loaded(shared(rep))

    with pytest.raises(RuntimeError), transaction.atomic():
        portal_open_record_pending(share=share, meta=RequestMeta(ip=None, user_agent=""))
        raise RuntimeError("rolled back")

    assert not PendingOpen.objects.exists()


def test_a_page_view_records_a_pending_open_through_the_portal(rep):
    share = loaded(shared(rep))
    token = share_token(key=share.key, quote_id=share.quote_id, email=share.recipient_email)

    assert HttpClient().get(reverse("portal:page", args=[token])).status_code == 200

    assert PendingOpen.objects.filter(quote_id=share.quote_id, share_id=share.pk).count() == 1


def test_the_fold_command_chains_every_waiting_open(rep):
    share = loaded(shared(rep))
    for meta in (SCANNER, SCANNER, BROWSER):
        portal_open_record_pending(share=share, meta=meta)
    out = StringIO()

    call_command("fold_pending_opens", stdout=out)

    assert out.getvalue() == "3 opens chained.\n"
    assert not PendingOpen.objects.exists()
    assert kinds(share.quote_id).count(EventKind.LINK_OPENED) == 3
    assert verify_quote_chain(share.quote_id).ok
