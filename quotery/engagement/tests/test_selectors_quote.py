"""One quote's timeline and summary: labels, scanner opens apart, the two signals."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.payloads import MessagePosted, PaymentStatusChanged
from quotery.engagement.selectors import engagement_summary, timeline_for_quote
from quotery.engagement.selectors.quote import TIMELINE_LIMIT
from quotery.engagement.tests.conftest import record, share_again, shared, visit
from quotery.portal.services.sharing import share_revoke
from quotery.quotes.models import Quote

pytestmark = pytest.mark.django_db

WEEK = dt.timedelta(days=7)


def test_timeline_lists_shares_views_downloads_in_order_with_labels(rep):
    # given a quote shared, viewed twice by the client, downloaded, then shared again
    share = shared(rep, email="anna@client.test")
    visit(share, downloads=1)
    visit(share)
    share_again(share, rep)
    quote = Quote.objects.get(pk=share.quote_id)

    # when the timeline is read
    timeline = timeline_for_quote(quote)

    # then it lists every event but the confirmed opens, oldest first, with labels
    assert [(entry.label, entry.who) for entry in timeline.entries] == [
        ("Shared", "anna@client.test"),
        ("Viewed", "anna@client.test"),
        ("PDF downloaded", "anna@client.test"),
        ("Viewed", "anna@client.test"),
        ("Re-shared", "anna@client.test"),
    ]
    sequences = [entry.event.sequence for entry in timeline.entries]
    assert sequences == sorted(sequences)
    assert [entry.revision_number for entry in timeline.entries] == [1, 1, 1, 1, 1]
    assert timeline.scanner_opens == []
    assert timeline.earlier == 0


def test_opens_without_a_beacon_are_apart_and_never_counted(rep):
    # given one real view and two fetches no browser confirmed (a scanner, a preview)
    share = shared(rep)
    visit(share, seen=False)
    visit(share)
    visit(share, seen=False)
    quote = Quote.objects.get(pk=share.quote_id)

    # when the timeline and the summary are read
    timeline = timeline_for_quote(quote)
    summary = engagement_summary(quote, timezone.now())

    # then the two unconfirmed opens are listed apart, and only the real view counts
    assert len(timeline.scanner_opens) == 2
    assert all(entry.kind == EventKind.LINK_OPENED for entry in timeline.scanner_opens)
    assert [entry.label for entry in timeline.entries] == ["Shared", "Viewed"]
    assert summary.views == 1
    assert summary.scanner_opens == 2


def test_scanner_opens_alone_are_no_buying_signal(rep):
    # given a quote downloaded once and fetched five times by a link scanner
    share = shared(rep)
    for _ in range(5):
        visit(share, seen=False)
    visit(share, seen=False, downloads=1)
    quote = Quote.objects.get(pk=share.quote_id)

    summary = engagement_summary(quote, timezone.now())

    assert summary.views == 0
    assert summary.scanner_opens == 6
    assert not summary.strong_signal


def test_strong_buying_signal_needs_several_views_and_a_download(rep):
    share = shared(rep)
    quote = Quote.objects.get(pk=share.quote_id)
    now = timezone.now()

    # given one view and a download: not yet
    visit(share, downloads=1)
    assert not engagement_summary(quote, now).strong_signal

    # when the client views it a second time
    visit(share)

    # then the quote shows a strong buying signal
    summary = engagement_summary(quote, now)
    assert summary.views == 2
    assert summary.pdf_downloads == 1
    assert summary.strong_signal


def test_several_views_without_a_download_are_no_strong_signal(rep):
    share = shared(rep)
    for _ in range(4):
        visit(share)
    quote = Quote.objects.get(pk=share.quote_id)
    assert not engagement_summary(quote, timezone.now()).strong_signal


def test_no_view_a_week_after_sharing_offers_a_resend_per_live_share(rep):
    # given a quote shared to two people, one of them revoked since, and a scanner open
    share = shared(rep, email="anna@client.test")
    other = share_again(share, rep, email="ben@client.test")
    share_revoke(share=other, user=rep)
    visit(share, seen=False)
    quote = Quote.objects.get(pk=share.quote_id)
    assert quote.first_shared_at is not None

    # when six days have passed: not yet
    assert not engagement_summary(
        quote, quote.first_shared_at + WEEK - dt.timedelta(hours=1)
    ).may_not_have_seen

    # when a week has passed with no counted view
    summary = engagement_summary(quote, quote.first_shared_at + WEEK)

    # then the client may not have seen it, with a resend for the live share only
    assert summary.may_not_have_seen
    assert [s.recipient_email for s in summary.resend_shares] == ["anna@client.test"]


def test_a_view_clears_the_may_not_have_seen_signal(rep):
    share = shared(rep)
    visit(share)
    quote = Quote.objects.get(pk=share.quote_id)
    assert quote.first_shared_at is not None
    summary = engagement_summary(quote, quote.first_shared_at + 3 * WEEK)
    assert not summary.may_not_have_seen
    assert summary.resend_shares == []


def test_a_draft_never_shared_has_no_signal(rep):
    from quotery.quotes.factories import make_quote

    quote = make_quote(owner=rep)
    summary = engagement_summary(quote, timezone.now() + 4 * WEEK)
    assert not summary.may_not_have_seen
    assert not summary.has_events


def test_summary_counts_unique_viewers_first_and_last_view_and_views_per_revision(rep):
    # given two recipients viewing revision 1, then a new revision viewed by one of them
    anna = shared(rep, email="anna@client.test")
    ben = share_again(anna, rep, email="ben@client.test")
    visit(anna)
    visit(ben)
    visit(anna)
    quote = Quote.objects.get(pk=anna.quote_id)
    Quote.objects.filter(pk=quote.pk).update(revision_number=2)  # an edit after changes
    visit(anna)
    quote.refresh_from_db()

    summary = engagement_summary(quote, timezone.now())

    assert summary.views == 4
    assert summary.unique_viewers == 2
    assert [(r.revision_number, r.views) for r in summary.views_per_revision] == [(1, 3), (2, 1)]
    assert summary.first_view is not None and summary.last_view is not None
    assert summary.first_view < summary.last_view


def test_answer_and_payment_kinds_read_with_their_labels(rep):
    share = shared(rep)
    quote = Quote.objects.get(pk=share.quote_id)
    now = timezone.now()
    record(quote, EventKind.CHANGES_REQUESTED, now, share=share)
    record(quote, EventKind.QUOTE_ACCEPTED, now, share=share)
    record(quote, PaymentStatusChanged(previous="pending", status="under_review"), now)
    record(quote, "something_new", now)
    record(quote, MessagePosted(message=1, author="client"), now, share=share)

    labels = [entry.label for entry in timeline_for_quote(quote).entries]

    assert labels[-5:] == [
        "Changes requested",
        "Accepted",
        "Payment status changed: under review",
        "Something new",
        "Message from the client",
    ]


def test_an_event_whose_data_is_not_its_kinds_is_listed_by_its_kind_and_logged(rep, caplog):
    # given a re-share and a client's message whose data were edited behind the app's back
    share = shared(rep)
    share_again(share, rep)
    quote = Quote.objects.get(pk=share.quote_id)
    record(quote, MessagePosted(message=1, author="client"), timezone.now(), share=share)
    QuoteEvent.objects.filter(quote=quote, sequence=2).update(data={"resend": "yes"})
    QuoteEvent.objects.filter(quote=quote, sequence=3).update(data=["client"])

    # when the timeline is read
    with caplog.at_level(logging.WARNING, logger="quotery.engagement"):
        labels = [entry.label for entry in timeline_for_quote(quote).entries]

    # then both are listed by their kind's name, and each is logged by quote and sequence
    assert labels == ["Shared", "Shared", "Message"]
    assert [record.getMessage() for record in caplog.records] == [
        f"Event #2 of quote {quote.pk} cannot be read: quote_shared data: 'resend' must be "
        "bool, not str. Run manage.py verify.",
        f"Event #3 of quote {quote.pk} cannot be read: message_posted data must be an "
        "object, not list. Run manage.py verify.",
    ]


def test_a_long_log_lists_the_latest_events_and_says_how_many_are_earlier(rep):
    share = shared(rep)
    quote = Quote.objects.get(pk=share.quote_id)
    for _ in range(TIMELINE_LIMIT):
        visit(share)  # two events each: the open and its view
    total = 1 + 2 * TIMELINE_LIMIT

    timeline = timeline_for_quote(quote)

    # the latest TIMELINE_LIMIT events: confirmed opens are not listed, their views are
    assert timeline.earlier == total - TIMELINE_LIMIT
    assert len(timeline.entries) == TIMELINE_LIMIT // 2
    assert timeline.entries[-1].event.sequence == total
    # the counts still cover the whole log
    assert engagement_summary(quote, timezone.now()).views == TIMELINE_LIMIT


def test_another_companys_events_never_reach_the_quote(rep, other_company):
    from quotery.accounts.factories import member
    from quotery.accounts.models import Role

    mine = shared(rep)
    theirs = shared(member(other_company, Role.REP))
    visit(theirs, downloads=2)
    visit(theirs)
    quote = Quote.objects.get(pk=mine.quote_id)

    summary = engagement_summary(quote, timezone.now())

    assert summary.views == 0 and summary.pdf_downloads == 0
    assert [entry.label for entry in timeline_for_quote(quote).entries] == ["Shared"]
