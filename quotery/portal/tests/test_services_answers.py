"""The client's answers and the conversation as services: what each writes, and that a
refusal or bad input writes nothing (no message, event, notification, email, decline or
state change)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.core.exceptions import (
    AlreadyAnswered,
    ApplicationError,
    NotFound,
    QuoteNotAcceptable,
    ValidationFailed,
)
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, NotificationKind, OutboxEmail
from quotery.portal.services.answers import (
    MESSAGE_MAX,
    client_message_post,
    quote_decline,
    quote_request_changes,
    rep_message_post,
)
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.portal.tests.answer_helpers import written
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    accept_shared,
    event_kinds,
    expire,
    share_quote,
)
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.services.quotes import quote_cancel
from quotery.sharing.models import AuthorKind, ConversationMessage, Decline, DeclineReason

pytestmark = pytest.mark.django_db


def state_of(quote: Quote) -> str:
    return Quote.objects.get(pk=quote.pk).state


# ---------------------------------------------------------------------------------------
# Request changes


def test_request_changes_records_the_message_state_event_notification_and_email(rep):
    # given a shared quote
    shared = share_quote(rep)
    before = written()

    # when the client asks for changes
    note = quote_request_changes(
        share=shared.share,
        message="  Can you do 10 chairs instead of 6?\r\n",
        request_meta=CLIENT_META,
    )

    # then the quote shows changes requested and the message is in the thread, by the client
    assert state_of(shared.quote) == QuoteState.CHANGES_REQUESTED
    assert note.body == "Can you do 10 chairs instead of 6?"
    assert note.author_kind == AuthorKind.CLIENT
    assert (note.author_name, note.author_email) == ("Anna Client", "anna@client.test")
    assert note.share_id == shared.share.pk
    # and one chained event names the message
    event = QuoteEvent.objects.filter(quote=shared.quote).order_by("-sequence").first()
    assert event is not None and event.kind == EventKind.CHANGES_REQUESTED
    assert event.data == {"message": note.pk} and event.recipient_email == "anna@client.test"
    assert event.user_agent == CLIENT_META.user_agent
    # and the owner has a notification and an email with the message
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (rep, NotificationKind.CHANGES_REQUESTED)
    assert shared.quote.number in notification.text and "Anna Client" in notification.text
    email = OutboxEmail.objects.exclude(kind="portal_share").get()
    assert (email.kind, email.to_email, email.context) == (
        "changes_requested_rep",
        rep.email,
        {"message": note.pk},
    )
    after = written()
    assert after["messages"] == before["messages"] + 1
    assert after["events"] == before["events"] + 1
    assert after["emails"] == before["emails"] + 1


def test_asking_again_keeps_the_state_and_adds_the_message(rep):
    shared = share_quote(rep)
    quote_request_changes(share=shared.share, message="First", request_meta=CLIENT_META)
    quote_request_changes(share=shared.share, message="Second", request_meta=CLIENT_META)
    assert state_of(shared.quote) == QuoteState.CHANGES_REQUESTED
    assert Notification.objects.count() == 2
    assert event_kinds(shared.quote.pk).count(EventKind.CHANGES_REQUESTED) == 2


@pytest.mark.parametrize("written_down", [False, True])
def test_an_expired_quote_can_still_get_a_request_for_changes(rep, written_down):
    # given a quote past its validity (and, or not yet, marked expired by the task)
    shared = share_quote(rep)
    expire(shared.quote)
    if written_down:
        Quote.objects.filter(pk=shared.quote.pk).update(state=QuoteState.EXPIRED)

    # when the client asks for changes, it goes through
    quote_request_changes(share=shared.share, message="Please renew it", request_meta=CLIENT_META)
    assert state_of(shared.quote) == QuoteState.CHANGES_REQUESTED


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("", "Write what you would like changed."),
        ("   \n  ", "Write what you would like changed."),
        ("x" * (MESSAGE_MAX + 1), f"at most {MESSAGE_MAX} characters"),
        ("bad \x00 byte", "cannot be shown"),
    ],
)
def test_a_bad_request_for_changes_writes_nothing(rep, message, says):
    shared = share_quote(rep)
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        quote_request_changes(share=shared.share, message=message, request_meta=CLIENT_META)
    assert says in refused.value.field_errors["message"][0]
    assert written() == before


def test_a_message_of_exactly_the_limit_is_taken(rep):
    shared = share_quote(rep)
    note = quote_request_changes(
        share=shared.share, message="x" * MESSAGE_MAX, request_meta=CLIENT_META
    )
    assert len(note.body) == MESSAGE_MAX


def cancel(shared, rep) -> None:  # type: ignore[no-untyped-def]
    quote_cancel(quote=Quote.objects.get(pk=shared.quote.pk), user=rep)


def decline(shared, reason=DeclineReason.PRICE, detail=""):  # type: ignore[no-untyped-def]
    return quote_decline(share=shared.share, reason=reason, detail=detail, request_meta=CLIENT_META)


@pytest.mark.parametrize(
    ("answer", "error", "says"),
    [
        ("accepted", AlreadyAnswered, "already been accepted"),
        ("declined", AlreadyAnswered, "already been declined"),
        ("cancelled", QuoteNotAcceptable, "withdrawn"),
        ("revoked", NotFound, "no longer works"),
    ],
)
def test_request_changes_is_refused_once_the_quote_is_answered_or_withdrawn(
    rep, answer, error, says
):
    # given a quote the client can no longer ask changes for
    shared = share_quote(rep)
    other = share_send(
        quote=Quote.objects.get(pk=shared.quote.pk),
        user=rep,
        recipient_name="Bob",
        recipient_email="bob@client.test",
    )
    if answer == "accepted":
        accept_shared(shared)
    elif answer == "declined":
        quote_decline(share=other, reason="", detail="", request_meta=CLIENT_META)
    elif answer == "cancelled":
        cancel(shared, rep)
    else:
        share_revoke(share=shared.share, user=rep)
    before = written()

    # when the client sends a request for changes, it is refused and nothing is written
    with pytest.raises(error) as refused:
        quote_request_changes(share=shared.share, message="Cheaper?", request_meta=CLIENT_META)
    assert says in refused.value.message
    assert written() == before


# ---------------------------------------------------------------------------------------
# Decline


def test_decline_records_the_reason_state_event_notification_and_email(rep):
    shared = share_quote(rep)
    before = written()

    # when the client declines for price, with a few words
    result = decline(shared, detail="Too expensive for us this year.\r\nMaybe next year.")

    # then the quote is declined and the decline holds the reason and the words
    assert state_of(shared.quote) == QuoteState.DECLINED
    row = Decline.objects.get()
    assert row == result
    assert (row.reason, row.detail) == (
        "price",
        "Too expensive for us this year.\nMaybe next year.",
    )
    assert row.share_id == shared.share.pk and row.revision_number == 1
    assert row.company_id == shared.quote.company_id
    event = QuoteEvent.objects.filter(quote=shared.quote).order_by("-sequence").first()
    assert event is not None and event.kind == EventKind.QUOTE_DECLINED
    assert event.data == {"reason": "price", "with_detail": True}
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (rep, NotificationKind.QUOTE_DECLINED)
    assert "(price)" in notification.text
    email = OutboxEmail.objects.exclude(kind="portal_share").get()
    assert (email.kind, email.to_email, email.context) == (
        "declined_rep",
        rep.email,
        {"decline": row.pk},
    )
    after = written()
    assert after["declines"] == before["declines"] + 1
    assert after["messages"] == before["messages"]  # a decline is not a thread message


def test_the_reason_is_optional(rep):
    shared = share_quote(rep)
    row = decline(shared, reason="")
    assert row.reason == "" and row.detail == ""
    assert state_of(shared.quote) == QuoteState.DECLINED
    assert "(" not in Notification.objects.get().text


@pytest.mark.parametrize(
    ("reason", "detail", "field", "says"),
    [
        ("cheaper_elsewhere", "", "reason", "Pick one of the reasons"),
        ("price", "y" * 2001, "detail", "at most 2000 characters"),
        ("price", "nul \x00", "detail", "cannot be shown"),
    ],
)
def test_a_bad_decline_writes_nothing(rep, reason, detail, field, says):
    shared = share_quote(rep)
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        decline(shared, reason=reason, detail=detail)
    assert says in refused.value.field_errors[field][0]
    assert written() == before


def test_declining_twice_is_answered_kindly_and_writes_nothing(rep):
    shared = share_quote(rep)
    decline(shared)
    before = written()
    with pytest.raises(AlreadyAnswered) as refused:
        decline(shared, reason=DeclineReason.TIMING)
    assert "already declined" in refused.value.message
    assert written() == before
    assert Decline.objects.get().reason == "price"


@pytest.mark.parametrize(
    ("answer", "error", "says"),
    [
        ("accepted", AlreadyAnswered, "already been accepted"),
        ("declined by another recipient", AlreadyAnswered, "already been declined"),
        ("expired", QuoteNotAcceptable, "expired"),
        ("cancelled", QuoteNotAcceptable, "withdrawn"),
        ("revoked", NotFound, "no longer works"),
    ],
)
def test_decline_is_refused_when_the_quote_is_not_open(rep, answer, error, says):
    shared = share_quote(rep)
    other = share_send(
        quote=Quote.objects.get(pk=shared.quote.pk),
        user=rep,
        recipient_name="Bob",
        recipient_email="bob@client.test",
    )
    if answer == "accepted":
        accept_shared(shared)
    elif answer.startswith("declined"):
        quote_decline(share=other, reason="", detail="", request_meta=CLIENT_META)
    elif answer == "expired":
        expire(shared.quote)
    elif answer == "cancelled":
        cancel(shared, rep)
    else:
        share_revoke(share=shared.share, user=rep)
    before = written()
    with pytest.raises(error) as refused:
        decline(shared)
    assert says in refused.value.message
    assert written() == before


def test_a_reissued_link_leaves_the_old_one_dead_for_answers(rep):
    # given a link revoked and then shared again (a new link for the same share row)
    shared = share_quote(rep)
    share_revoke(share=shared.share, user=rep)
    share_send(
        quote=Quote.objects.get(pk=shared.quote.pk),
        user=rep,
        recipient_name="Anna Client",
        recipient_email="anna@client.test",
    )
    before = written()
    # when the old share (its old key) is used, nothing is written
    with pytest.raises(NotFound):
        decline(shared)
    assert written() == before


# ---------------------------------------------------------------------------------------
# The conversation


def test_a_client_message_joins_the_thread_and_tells_the_owner(rep):
    shared = share_quote(rep)
    before = written()
    note = client_message_post(
        share=shared.share, body="When could you deliver?", request_meta=CLIENT_META
    )
    assert note.author_kind == AuthorKind.CLIENT and note.author_name == "Anna Client"
    assert state_of(shared.quote) == QuoteState.SENT  # a message is not an answer
    event = QuoteEvent.objects.filter(quote=shared.quote).order_by("-sequence").first()
    assert event is not None and event.kind == EventKind.MESSAGE_POSTED
    assert event.data == {"message": note.pk, "author": "client"}
    assert Notification.objects.get().kind == NotificationKind.CLIENT_MESSAGE
    email = OutboxEmail.objects.exclude(kind="portal_share").get()
    assert (email.kind, email.to_email) == ("client_message_rep", rep.email)
    after = written()
    assert after["messages"] == before["messages"] + 1
    assert after["events"] == before["events"] + 1


@pytest.mark.parametrize("answer", ["accepted", "declined", "expired"])
def test_the_client_can_still_write_after_answering_or_expiry(rep, answer):
    shared = share_quote(rep)
    if answer == "accepted":
        accept_shared(shared)
    elif answer == "declined":
        decline(shared)
    else:
        expire(shared.quote)
    client_message_post(share=shared.share, body="Thanks!", request_meta=CLIENT_META)
    assert ConversationMessage.objects.filter(body="Thanks!").count() == 1


def test_a_withdrawn_quote_closes_the_conversation_for_the_client(rep):
    shared = share_quote(rep)
    cancel(shared, rep)
    before = written()
    with pytest.raises(QuoteNotAcceptable, match="withdrawn"):
        client_message_post(share=shared.share, body="Why?", request_meta=CLIENT_META)
    assert written() == before


def test_an_empty_client_message_writes_nothing(rep):
    shared = share_quote(rep)
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        client_message_post(share=shared.share, body=" \r\n ", request_meta=CLIENT_META)
    assert refused.value.field_errors == {"body": ["Write your message first."]}
    assert written() == before


def test_a_rep_reply_emails_every_live_link_with_its_own_share(rep):
    # given a quote shared with Anna and Bob, and with Carl whose link was revoked
    shared = share_quote(rep)
    quote = Quote.objects.get(pk=shared.quote.pk)
    bob = share_send(quote=quote, user=rep, recipient_name="Bob", recipient_email="bob@client.test")
    carl = share_send(
        quote=quote, user=rep, recipient_name="Carl", recipient_email="carl@client.test"
    )
    share_revoke(share=carl, user=rep)
    before = written()

    # when the rep replies
    note = rep_message_post(quote=quote, user=rep, body="We can deliver in May.")

    # then the thread has the rep's message and the log an event with the rep as actor
    assert (note.author_kind, note.author_user, note.author_name) == (
        AuthorKind.REP,
        rep,
        rep.full_name,
    )
    event = QuoteEvent.objects.filter(quote=quote).order_by("-sequence").first()
    assert event is not None and event.kind == EventKind.MESSAGE_POSTED and event.actor == rep
    # and each live recipient gets one email naming their own share; the revoked one none
    emails = OutboxEmail.objects.filter(kind="rep_message_client").order_by("to_email")
    assert [(e.to_email, e.context) for e in emails] == [
        ("anna@client.test", {"message": note.pk, "share": shared.share.pk}),
        ("bob@client.test", {"message": note.pk, "share": bob.pk}),
    ]
    assert len({e.dedupe_key for e in emails}) == 2
    after = written()
    assert after["notifications"] == before["notifications"]  # the rep needs no notification


def test_a_rep_reply_with_nobody_to_tell_or_no_text_writes_nothing(rep):
    shared = share_quote(rep)
    quote = Quote.objects.get(pk=shared.quote.pk)
    before = written()
    with pytest.raises(ValidationFailed):
        rep_message_post(quote=quote, user=rep, body="")
    share_revoke(share=shared.share, user=rep)
    before = written()
    with pytest.raises(ApplicationError, match="share it first"):
        rep_message_post(quote=quote, user=rep, body="Hello?")
    assert written() == before


def test_message_times_are_stored_as_given(rep):
    shared = share_quote(rep)
    moment = timezone.now() - dt.timedelta(minutes=5)
    note = client_message_post(share=shared.share, body="Hi", request_meta=CLIENT_META, now=moment)
    assert note.created_at == moment


def test_a_manager_may_reply_on_a_reps_quote(company, rep):
    manager = member(company, Role.MANAGER, full_name="Mia Manager")
    shared = share_quote(rep)
    note = rep_message_post(quote=Quote.objects.get(pk=shared.quote.pk), user=manager, body="Hi")
    assert note.author_name == "Mia Manager"
