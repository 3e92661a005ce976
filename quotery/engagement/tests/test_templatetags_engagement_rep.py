"""The quote page's Engagement section (`quote_engagement`): repeated views and downloads
folded into one expandable entry, and no signal to win over a quote already answered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from quotery.engagement import payloads
from quotery.engagement.models import EventKind
from quotery.engagement.pending_opens import pending_open_count
from quotery.engagement.templatetags.engagement_rep import ago
from quotery.engagement.tests.conftest import (
    BROWSER,
    SCANNER,
    quote_shared_at,
    record,
    view_at,
    visit,
)
from quotery.portal.services.answers import quote_request_changes
from quotery.portal.services.sharing import portal_open_record_pending, portal_view_confirm
from quotery.portal.tests.portal_fixtures import CLIENT_META, accept_shared, share_quote
from quotery.portal.view_confirmation import view_token_for
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

# A Monday morning in winter: 10:00 in the company's zone (Europe/Berlin, CET). The
# relative times use no-break spaces ("2\xa0hours ago"), as Django's timesince writes them.
SHARED_AT = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


def section(http, quote: Quote) -> str:  # type: ignore[no-untyped-def]
    html = http.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    return str(html.split('id="engagement-heading"', 1)[1].split("</section>", 1)[0])


def groups(html: str) -> list[str]:
    return re.findall(r'<details class="timeline-group">.*?</details>', html, re.S)


def test_six_views_fold_into_one_entry_with_the_count_and_the_last_time(login, rep, time_machine):
    # given six views of one link, an hour apart, the last at 16:00 Berlin time
    quote, share = quote_shared_at(rep, SHARED_AT)
    for hour in range(1, 7):
        view_at(quote, share, SHARED_AT + dt.timedelta(hours=hour))
    # when the rep looks two hours after the last
    time_machine.move_to(SHARED_AT + dt.timedelta(hours=8), tick=False)
    html = section(login(rep), quote)

    # then one entry says how many and when the last was, and opens on every time
    (group,) = groups(html)
    summary = group.split("</summary>", 1)[0]
    assert "Viewed 6 times</strong> · anna@client.test · revision 1" in summary
    assert "last <time" in summary and ">2\xa0hours ago</time>" in summary
    assert 'title="12 Jan 2026 16:00 CET"' in summary
    inside = group.split("</summary>", 1)[1]
    times = re.findall(r">(\d+ Jan 2026 \d\d:\d\d CET)</time>", inside)
    assert times == [f"12 Jan 2026 {hour:02d}:00 CET" for hour in range(11, 17)]
    # the share stays an entry of its own
    assert "<strong>Shared</strong> · anna@client.test" in html


def test_a_message_between_views_keeps_two_runs_and_downloads_fold_apart(login, rep, time_machine):
    quote, share = quote_shared_at(rep, SHARED_AT)
    at = SHARED_AT.__add__
    view_at(quote, share, at(dt.timedelta(hours=1)))
    record(quote, EventKind.PDF_DOWNLOADED, at(dt.timedelta(hours=1, minutes=5)), share=share)
    view_at(quote, share, at(dt.timedelta(hours=2)))
    record(quote, EventKind.PDF_DOWNLOADED, at(dt.timedelta(hours=2, minutes=5)), share=share)
    record(
        quote,
        payloads.MessagePosted(message=1, author="client"),
        at(dt.timedelta(hours=3)),
        share=share,
    )
    view_at(quote, share, at(dt.timedelta(hours=4)))
    view_at(quote, share, at(dt.timedelta(hours=5)))
    view_at(quote, share, at(dt.timedelta(hours=6)))
    time_machine.move_to(at(dt.timedelta(days=3)), tick=False)

    html = section(login(rep), quote)

    summaries = [re.sub(r"<[^>]+>", "", g.split("</summary>")[0]) for g in groups(html)]
    assert [s.split(" · ")[0].strip() for s in summaries] == [
        "Viewed 2 times",
        "PDF downloaded 2 times",
        "Viewed 3 times",
    ]
    assert all("last 2\xa0days ago" in s for s in summaries)
    # in the order things happened: the message between the two runs
    assert html.index("Viewed 2 times") < html.index("PDF downloaded 2 times")
    assert html.index("PDF downloaded 2 times") < html.index("Message from the client")
    assert html.index("Message from the client") < html.index("Viewed 3 times")


def test_views_of_two_links_or_two_revisions_stay_apart_and_a_single_view_is_plain(
    login, rep, time_machine
):
    quote, share = quote_shared_at(rep, SHARED_AT)
    view_at(quote, share, SHARED_AT + dt.timedelta(hours=1))
    Quote.objects.filter(pk=quote.pk).update(revision_number=2)
    quote.refresh_from_db()
    view_at(quote, share, SHARED_AT + dt.timedelta(hours=2))
    time_machine.move_to(SHARED_AT + dt.timedelta(hours=3), tick=False)

    html = section(login(rep), quote)

    assert groups(html) == []
    assert "<strong>Viewed</strong> · anna@client.test · revision 1" in html
    assert "<strong>Viewed</strong> · anna@client.test · revision 2" in html


def test_opens_waiting_outside_the_chain_are_folded_in_when_the_section_is_read(login, rep):
    # given two views made the way the client page makes them (a waiting open, then the
    # beacon), and then two link-scanner opens still waiting outside the chain
    shared = share_quote(rep)
    share = PortalShare.objects.select_related("quote__company").get(pk=shared.share.pk)
    for _ in range(2):
        waiting = portal_open_record_pending(share=share, meta=BROWSER)
        token = view_token_for(share=share, pending_open=waiting)
        assert portal_view_confirm(share=share, view_token=token, meta=BROWSER)
    for _ in range(2):
        portal_open_record_pending(share=share, meta=SCANNER)
    assert pending_open_count(shared.quote.pk) == 2

    # when the rep reads the section
    html = section(login(rep), shared.quote)

    # then the waiting opens were chained and listed apart; the two views are one entry
    assert pending_open_count(shared.quote.pk) == 0
    assert "Opened by a link scanner or preview (2), not counted" in html
    (group,) = groups(html)
    assert "Viewed 2 times</strong>" in group


def test_a_hot_quote_shows_the_buying_signal_until_it_is_accepted(login, rep):
    shared = share_quote(rep)
    visit(shared.share, downloads=1)
    visit(shared.share)
    http = login(rep)
    assert "Strong buying signal" in section(http, shared.quote)

    accept_shared(shared)
    shared.quote.refresh_from_db()

    assert shared.quote.state == QuoteState.CLOSED  # accepted, without a finance gate
    assert "Strong buying signal" not in section(http, shared.quote)


def test_security_21_folded_entries_escape_the_clients_address(login, rep, time_machine):
    quote, share = quote_shared_at(rep, SHARED_AT, email="o'neil&co@client.test")
    view_at(quote, share, SHARED_AT + dt.timedelta(hours=1))
    view_at(quote, share, SHARED_AT + dt.timedelta(hours=2))
    time_machine.move_to(SHARED_AT + dt.timedelta(hours=3), tick=False)

    (group,) = groups(section(login(rep), quote))

    assert "o&#x27;neil&amp;co@client.test" in group and "o'neil&co" not in group


def test_a_changes_requested_entry_stays_its_own(login, rep):
    shared = share_quote(rep)
    visit(shared.share)
    quote_request_changes(share=shared.share, message="Blue chairs.", request_meta=CLIENT_META)
    visit(shared.share)

    html = section(login(rep), shared.quote)

    assert "<strong>Changes requested</strong>" in html
    assert groups(html) == []


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (dt.timedelta(seconds=20), "under a minute ago"),
        (dt.timedelta(minutes=5, seconds=10), "5\xa0minutes ago"),
        (dt.timedelta(hours=2, minutes=59), "2\xa0hours ago"),
        (dt.timedelta(days=1, hours=23), "1\xa0day ago"),
    ],
)
def test_ago_says_the_largest_unit(before, said):
    assert ago(SHARED_AT - before, SHARED_AT) == said
