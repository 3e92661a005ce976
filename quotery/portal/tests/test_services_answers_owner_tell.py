"""owner_tell: how the quote's owner hears of a client's act (in-app and by email), and the
dedupe keys each answer hands it, which are also the emails' Message-IDs."""

from __future__ import annotations

import pytest
from django.db import transaction

from quotery.notifications.models import Notification, NotificationKind, OutboxEmail
from quotery.portal.services.answers import (
    client_message_post,
    owner_tell,
    quote_decline,
    quote_request_changes,
)
from quotery.portal.tests.portal_fixtures import CLIENT_META, accept_shared, share_quote

pytestmark = pytest.mark.django_db


def test_the_owner_is_told_in_app_and_by_email_once_per_key(rep):
    # given a quote the rep shared, and nothing written for its owner yet
    shared = share_quote(rep, sections=1, lines_per_section=1)
    assert Notification.objects.count() == 0
    emails_before = OutboxEmail.objects.count()

    # when the owner is told of the same act twice (a retried transaction, say)
    with transaction.atomic():
        for _ in range(2):
            owner_tell(
                quote=shared.quote,
                kind=NotificationKind.CLIENT_MESSAGE,
                text="Anna Client wrote about the quote.",
                notification_key="client_message:test",
                email_kind="client_message_rep",
                email_key="client_message_rep:client_message:test",
                context={"message": 0},
            )

    # then one notification for the owner, and one email to the owner
    [note] = Notification.objects.all()
    assert (note.user_id, note.quote_id, note.kind, note.text, note.dedupe_key) == (
        rep.pk,
        shared.quote.pk,
        "client_message",
        "Anna Client wrote about the quote.",
        "client_message:test",
    )
    assert OutboxEmail.objects.count() == emails_before + 1
    email = OutboxEmail.objects.get(dedupe_key="client_message_rep:client_message:test")
    assert (email.kind, email.to_email, email.to_name, email.context) == (
        "client_message_rep",
        rep.email,
        rep.full_name,
        {"message": 0},
    )


def test_each_answer_keeps_the_keys_its_owner_emails_were_sent_with(rep):
    # given three shared quotes and one accepted
    changes = share_quote(rep, sections=1, lines_per_section=1)
    declined = share_quote(rep, sections=1, lines_per_section=1)
    accepted = share_quote(rep, sections=1, lines_per_section=1)

    # when the client answers each of them
    note = quote_request_changes(share=changes.share, message="Fewer", request_meta=CLIENT_META)
    message = client_message_post(share=changes.share, body="Hello", request_meta=CLIENT_META)
    decline = quote_decline(share=declined.share, reason="", detail="", request_meta=CLIENT_META)
    acceptance = accept_shared(accepted)

    # then the owner's notifications and emails carry the keys written before this helper
    # existed: a changed key would be a new Message-ID for the same act
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == sorted(
        [
            f"changes_requested:{note.pk}",
            f"client_message:{message.pk}",
            f"declined:{decline.pk}",
            f"acceptance:{acceptance.pk}:owner",
        ]
    )
    owner_emails = OutboxEmail.objects.filter(to_email=rep.email)
    assert sorted(owner_emails.values_list("dedupe_key", flat=True)) == sorted(
        [
            f"changes_requested_rep:changes_requested:{note.pk}",
            f"client_message_rep:client_message:{message.pk}",
            f"declined_rep:declined:{decline.pk}",
            f"acceptance_rep:{acceptance.pk}",
        ]
    )
