"""Sharing and what a client's visit records: share_send, share_revoke, opens and views."""

from __future__ import annotations

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import IpRecording, Role
from quotery.core.exceptions import IllegalTransition, ValidationFailed
from quotery.core.request_meta import RequestMeta
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import OutboxEmail
from quotery.portal.services.sharing import (
    MESSAGE_MAX,
    portal_open_record,
    portal_pdf_download_record,
    portal_view_confirm,
    share_revoke,
    share_send,
)
from quotery.portal.view_confirmation import view_token_for
from quotery.quotes.factories import make_quote
from quotery.quotes.models import QuoteState
from quotery.quotes.services.quotes import quote_cancel
from quotery.sharing.models import AuthorKind, ConversationMessage, PortalShare

pytestmark = pytest.mark.django_db

CLIENT = RequestMeta(ip="203.0.113.77", user_agent="Mozilla/5.0 (iPhone)")


def kinds(quote) -> list[str]:  # type: ignore[no-untyped-def]
    return list(QuoteEvent.objects.filter(quote=quote).values_list("kind", flat=True))


def nothing_written(quote) -> bool:  # type: ignore[no-untyped-def]
    return not (
        PortalShare.objects.filter(quote=quote).exists()
        or QuoteEvent.objects.filter(quote=quote).exists()
        or OutboxEmail.objects.exists()
        or ConversationMessage.objects.filter(quote=quote).exists()
    )


def test_first_share_sends_the_quote_and_records_everything(company) -> None:
    # given a draft quote
    rep = member(company, Role.REP, full_name="Rita Rep")
    quote = make_quote(owner=rep)

    # when the rep shares it with a personal message
    share = share_send(
        quote=quote,
        user=rep,
        recipient_name=" Anna Berg ",
        recipient_email=" Anna@Example.com ",
        message="Hello Anna,\nhere is our offer.",
    )

    # then the quote is sent as revision 1, the share is stored normalised
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT and quote.revision_number == 1
    assert (share.recipient_name, share.recipient_email, share.send_count) == (
        "Anna Berg",
        "anna@example.com",
        1,
    )
    # and the share, the message and an outbox email are recorded, the chain intact
    assert kinds(quote) == [EventKind.QUOTE_SHARED, EventKind.MESSAGE_POSTED]
    message = ConversationMessage.objects.get(quote=quote)
    assert (message.author_kind, message.author_name, message.body) == (
        AuthorKind.REP,
        "Rita Rep",
        "Hello Anna,\nhere is our offer.",
    )
    email = OutboxEmail.objects.get()
    assert (email.kind, email.to_email, email.dedupe_key) == (
        "portal_share",
        "anna@example.com",
        f"portal_share:{share.pk}:1",
    )
    assert email.context == {
        "share": share.pk,
        "sender": rep.pk,
        "message": "Hello Anna,\nhere is our offer.",
        "revision": 1,
        "update": False,
    }
    assert verify_quote_chain(quote.pk).ok


def test_sharing_again_reuses_the_link_and_sends_a_fresh_email(company) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    first = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )

    again = share_send(
        quote=quote, user=rep, recipient_name="Anna B.", recipient_email="anna@example.com"
    )

    assert again.pk == first.pk and again.key == first.key
    assert again.send_count == 2 and again.recipient_name == "Anna B."
    assert OutboxEmail.objects.count() == 2
    shared = QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_SHARED)
    assert [event.data["resend"] for event in shared] == [False, True]


@pytest.mark.parametrize(
    ("name", "email", "message", "field", "text"),
    [
        ("", "anna@example.com", "", "recipient_name", "Enter the client's name."),
        ("Anna", "", "", "recipient_email", "Enter the client's email address."),
        ("Anna", "anna@", "", "recipient_email", "like anna@example.com"),
        ("Anna", "anna@example.com\r\nBcc: x@evil.test", "", "recipient_email", "like anna@"),
        ("Anna\r\nBcc: x@evil.test", "anna@example.com", "", "recipient_name", "one line"),
        ("Anna", "anna@example.com", "x" * (MESSAGE_MAX + 1), "message", "at most 2000"),
    ],
)
def test_bad_share_input_is_explained_and_nothing_is_written(
    company, name: str, email: str, message: str, field: str, text: str
) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)

    with pytest.raises(ValidationFailed) as raised:
        share_send(
            quote=quote, user=rep, recipient_name=name, recipient_email=email, message=message
        )

    assert text in " ".join(raised.value.field_errors[field])
    quote.refresh_from_db()
    assert quote.state == QuoteState.DRAFT and quote.revision_number == 0
    assert nothing_written(quote)


def test_a_cancelled_quote_cannot_be_shared(company) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    quote_cancel(quote=quote, user=rep)

    with pytest.raises(IllegalTransition, match="cancelled, so it cannot be shared"):
        share_send(quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com")

    assert nothing_written(quote)


def test_revoking_records_an_event_once(company) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )

    share_revoke(share=share, user=rep)
    share_revoke(share=share, user=rep)

    share.refresh_from_db()
    assert share.is_revoked and share.revoked_by == rep
    assert kinds(quote).count(EventKind.LINK_REVOKED) == 1


def test_security_10_an_open_is_not_a_view_until_the_beacon_confirms_it(company) -> None:
    # given a shared quote
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )

    # when the link is fetched: an open, no view
    opened = portal_open_record(share=share, meta=CLIENT)
    assert not QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_VIEWED).exists()

    # and the beacon confirms it twice: one view
    assert portal_view_confirm(
        share=share,
        view_token=view_token_for(share=share, open_sequence=opened.sequence),
        meta=CLIENT,
    )
    assert not portal_view_confirm(
        share=share,
        view_token=view_token_for(share=share, open_sequence=opened.sequence),
        meta=CLIENT,
    )
    views = QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_VIEWED)
    assert views.count() == 1
    view = views.get()
    assert (view.recipient_email, view.revision_number, view.data) == (
        "anna@example.com",
        1,
        {"open": opened.sequence},
    )
    share.refresh_from_db()
    assert share.last_viewed_revision == 1


def test_a_beacon_cannot_confirm_another_recipients_open_or_a_non_open(company) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    anna = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )
    ben = share_send(quote=quote, user=rep, recipient_name="Ben", recipient_email="ben@example.com")
    opened = portal_open_record(share=anna, meta=CLIENT)

    assert not portal_view_confirm(
        share=ben,
        view_token=view_token_for(share=ben, open_sequence=opened.sequence),
        meta=CLIENT,
    )
    # even with a token signed for Anna's link: the share event, and an open that never was
    for not_an_open in (1, 999):
        token = view_token_for(share=anna, open_sequence=not_an_open)
        assert not portal_view_confirm(share=anna, view_token=token, meta=CLIENT)
    assert not QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_VIEWED).exists()


@pytest.mark.parametrize(
    ("setting", "recorded"),
    [
        (IpRecording.FULL, "203.0.113.77"),
        (IpRecording.ANONYMISED, "203.0.113.0"),
        (IpRecording.OFF, None),
    ],
)
def test_client_ips_are_recorded_as_the_company_chose(company, setting: str, recorded) -> None:  # type: ignore[no-untyped-def]
    company.ip_recording = setting
    company.save()
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )

    opened = portal_open_record(share=share, meta=CLIENT)
    download = portal_pdf_download_record(share=share, meta=CLIENT)

    assert opened.ip == recorded and download.ip == recorded
    assert download.user_agent == "Mozilla/5.0 (iPhone)"


def test_anonymised_ipv6_keeps_the_network_only(company) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )

    opened = portal_open_record(
        share=share, meta=RequestMeta(ip="2001:db8:85a3:8d3:1319:8a2e:370:7348", user_agent="")
    )

    assert opened.ip == "2001:db8:85a3::"


def test_the_database_itself_allows_one_view_per_open(company) -> None:
    from django.db import IntegrityError, transaction

    from quotery.engagement.events import event_quote_viewed

    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    share = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
    )
    opened = portal_open_record(share=share, meta=CLIENT)
    assert portal_view_confirm(
        share=share,
        view_token=view_token_for(share=share, open_sequence=opened.sequence),
        meta=CLIENT,
    )

    # a second view of the same open, even written past the service's check, is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        event_quote_viewed(
            quote=quote,
            share=share,
            meta=CLIENT,
            open_sequence=opened.sequence,
            revision_number=opened.revision_number,
        )
    assert QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_VIEWED).count() == 1
