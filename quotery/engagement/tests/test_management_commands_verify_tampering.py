"""manage.py verify against someone who can write the database (SECURITY.md 12, 16, 17, 28):
events deleted from the end of a chain, a head shortened to match, a deleted acceptance, an
acceptance without its event, a changed emailed hash; and the head kept in step by every
append, signed under SECRET_KEY, rotated with SECRET_KEY_FALLBACKS."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from quotery.engagement.chain import (
    head_signature,
    head_signed_with,
    link_hash,
    verify_quote_chain,
)
from quotery.engagement.models import GENESIS_HASH, EventKind, QuoteEvent
from quotery.engagement.tests.conftest import BROWSER, shared, visit
from quotery.engagement.tests.tampering import (
    head_to_end,
    set_head,
    verify,
    verify_failing,
)
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import render_outbox_email
from quotery.portal.services.answers import quote_decline
from quotery.portal.services.sharing import portal_open_record
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import Acceptance, PortalShare

pytestmark = pytest.mark.django_db

SERVER_KEY = "the-server-secret-key-of-this-test-0123456789-abcdefghij"
OLD_KEY = "the-old-server-secret-key-of-this-test-0123456789-abcdef"
ATTACKERS_GUESS = "a-key-that-is-not-the-servers-0123456789-abcdefghijklmnop"


@pytest.fixture(autouse=True)
def server_key(settings, tmp_path: Path) -> None:
    settings.SECRET_KEY = SERVER_KEY
    settings.SECRET_KEY_FALLBACKS = []
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")


@pytest.fixture
def accepted(rep) -> Acceptance:
    return accept_shared(share_quote(rep))


def head_of(quote_id: int) -> tuple[int, str, str]:
    return Quote.objects.values_list("chain_length", "chain_hash", "chain_signature").get(
        pk=quote_id
    )


def last_event(quote_id: int) -> QuoteEvent:
    event = QuoteEvent.objects.filter(quote_id=quote_id).order_by("-sequence").first()
    assert event is not None
    return event


# --- The head moves with every append -------------------------------------------------


def test_security_28_every_append_moves_the_signed_head_with_it(rep):
    # given a quote with no events yet: an empty, unsigned head
    share = shared(rep)
    quote_id = share.quote_id

    # when the client opens the link (one more event)
    visit(share)

    # then the head is the chain's length and last hash, signed under SECRET_KEY
    last = last_event(quote_id)
    assert last.sequence == 3  # shared, opened, viewed
    assert head_of(quote_id) == (3, last.hash, head_signature(quote_id, 3, last.hash))
    assert verify_quote_chain(quote_id).ok


def test_a_quote_that_was_never_shared_has_an_empty_head_and_verifies(rep):
    from quotery.quotes.factories import make_quote

    quote = make_quote(owner=rep)
    assert head_of(quote.pk) == (0, GENESIS_HASH, "")
    assert f"{quote.number} head: ok (no events yet)" in verify("--quote", quote.number)


def test_a_stale_quote_saved_whole_keeps_the_head_it_did_not_write(rep):
    # given a quote read before the client opened it, then saved whole (as an edit does)
    share = shared(rep)
    stale = Quote.objects.get(pk=share.quote_id)
    visit(share)
    stale.title = "Renamed"
    stale.save()

    # then the head is still the chain's: the next append follows it, nothing forks
    visit(share)
    assert head_of(stale.pk)[0] == 5
    assert verify_quote_chain(stale.pk).ok


# --- Events deleted from the end (SECURITY.md 16, 28) ---------------------------------


@pytest.mark.parametrize(
    ("first_deleted", "end"),
    [(7, "ends at event #6"), (4, "ends at event #3"), (1, "has no events")],
    ids=["the last event", "the last four", "every event"],
)
def test_security_28_events_deleted_from_the_end_are_named(chained, first_deleted, end):
    QuoteEvent.objects.filter(quote=chained, sequence__gte=first_deleted).delete()

    output, error = verify_failing("--quote", chained.number)

    assert f"{chained.number} events: ok ({first_deleted - 1} events chained)" in output
    assert (
        f"{chained.number} head: BROKEN: the chain {end} but its head says 7 events: events "
        "were deleted from the end"
    ) in output
    assert "1 check(s) failed over 1 quote(s)" in error


def test_security_28_deleting_a_quotes_decline_is_named(rep):
    # given a quote the client declined: its last event is the decline
    portal = share_quote(rep)
    quote_decline(share=portal.share, reason="price", detail="", request_meta=BROWSER)
    quote = Quote.objects.get(pk=portal.quote.pk)
    declined = last_event(quote.pk)
    assert declined.kind == EventKind.QUOTE_DECLINED

    # when the decline event is deleted (as if the client never answered)
    declined.delete()

    output, _ = verify_failing("--quote", quote.number)
    assert f"{quote.number} events: ok" in output
    assert (
        f"{quote.number} head: BROKEN: the chain ends at event #{declined.sequence - 1} but "
        f"its head says {declined.sequence} events: events were deleted from the end"
    ) in output


def test_security_28_un_accepting_a_quote_from_the_end_of_its_chain_is_named(accepted):
    # given an accepted quote made to look merely sent: its acceptance row and its accepted
    # event (the last one) deleted, its state set back
    quote = accepted.quote
    Acceptance.objects.filter(pk=accepted.pk).delete()
    QuoteEvent.objects.filter(quote=quote, sequence=accepted.event_sequence).delete()
    Quote.objects.filter(pk=quote.pk).update(state=QuoteState.SENT)

    output, _ = verify_failing("--quote", quote.number)

    assert f"{quote.number} events: ok" in output
    assert (
        f"{quote.number} head: BROKEN: the chain ends at event #{accepted.event_sequence - 1} "
        f"but its head says {accepted.event_sequence} events: events were deleted from the end"
    ) in output


# --- A head made to agree, without the server's secret ---------------------------------


def test_security_28_a_head_shortened_without_the_secret_is_named(chained):
    # given the last two events deleted and the head pointed at the new end, signed with
    # a key that is not the server's
    QuoteEvent.objects.filter(quote=chained, sequence__gte=6).delete()
    head_to_end(chained.pk, secret=ATTACKERS_GUESS)

    output, _ = verify_failing("--quote", chained.number)

    assert f"{chained.number} events: ok (5 events chained)" in output
    assert (
        f"{chained.number} head: BROKEN: the head's signature does not match: the head was "
        "written without the server's secret key"
    ) in output


def test_security_28_a_heads_signature_holds_for_its_own_quote_only():
    # the signature covers the quote's id: a valid head of quote 1 does not fit quote 2
    last_hash = "ab" * 32
    signature = head_signature(1, 3, last_hash)
    assert head_signed_with(1, 3, last_hash, signature) == "current"
    assert head_signed_with(2, 3, last_hash, signature) is None
    assert head_signed_with(1, 2, last_hash, signature) is None


def test_security_28_a_head_and_chain_emptied_on_a_shared_quote_are_named(chained):
    QuoteEvent.objects.filter(quote=chained).delete()
    set_head(chained.pk, 0, GENESIS_HASH, "")

    output, _ = verify_failing("--quote", chained.number)
    assert (
        f"{chained.number} head: BROKEN: the quote was shared (revision 1) but its chain and "
        "its head are empty: its whole history was deleted"
    ) in output


def test_security_28_a_shared_quote_emptied_and_made_a_draft_again_is_named(chained):
    QuoteEvent.objects.filter(quote=chained).delete()
    set_head(chained.pk, 0, GENESIS_HASH, "")
    Quote.objects.filter(pk=chained.pk).update(state=QuoteState.DRAFT, revision_number=0)

    output, _ = verify_failing("--quote", chained.number)
    assert (
        f"{chained.number} head: BROKEN: the quote was shared (it has portal links or "
        "revisions) but its chain and its head are empty: its whole history was deleted"
    ) in output


def test_security_28_a_forged_head_is_never_signed_by_a_later_append(chained, caplog):
    # given a chain cut short and its head forged to match, without the secret
    QuoteEvent.objects.filter(quote=chained, sequence__gte=6).delete()
    head_to_end(chained.pk, secret=ATTACKERS_GUESS)

    # when the client opens the link again: the app extends the chain as it finds it
    share = PortalShare.objects.select_related("quote__company").get(quote=chained)
    with caplog.at_level(logging.ERROR, logger="quotery.engagement"):
        opened = portal_open_record(share=share, meta=BROWSER)

    # then it did not sign the head over the forgery, said so in the log, and verify
    # still fails on the head
    assert opened.sequence == 6
    assert head_of(chained.pk) == (6, opened.hash, "")
    assert [record.getMessage() for record in caplog.records] == [
        f"The chain head of quote {chained.pk} does not carry a valid signature; "
        "run manage.py verify"
    ]
    output, _ = verify_failing("--quote", chained.number)
    assert (
        f"{chained.number} head: BROKEN: the head carries no signature: it was extended over "
        "a head whose signature did not match, or written by hand"
    ) in output


def test_security_28_events_added_behind_the_heads_back_are_named(chained):
    # given a forged event appended to the chain, correctly hashed, the head left as it was
    last = last_event(chained.pk)
    forged = QuoteEvent(
        company_id=chained.company_id,
        quote_id=chained.pk,
        kind=EventKind.QUOTE_VIEWED,
        occurred_at=last.occurred_at,
        recipient_email="anna@client.test",
        revision_number=1,
        data={"open": 6},
        sequence=8,
        prev_hash=last.hash,
    )
    forged.hash = link_hash(last.hash, forged)
    forged.save(force_insert=True)

    output, _ = verify_failing("--quote", chained.number)
    assert (
        f"{chained.number} head: BROKEN: the chain has 8 events but its head says 7: events "
        "were added without moving the head"
    ) in output


# --- Rotating SECRET_KEY ---------------------------------------------------------------


def test_security_28_after_rotating_secret_key_heads_verify_and_are_re_signed(chained, settings):
    # given the server's key rotated, the old one kept in SECRET_KEY_FALLBACKS
    settings.SECRET_KEY = "a-brand-new-server-secret-key-0123456789-abcdefghijklmn"
    settings.SECRET_KEY_FALLBACKS = [SERVER_KEY]

    # then the head still verifies, with a reminder to re-sign before retiring the old key
    assert (
        f"{chained.number} head: ok (7 events, last hash {head_of(chained.pk)[1][:12]}…, "
        "signed with an older key in SECRET_KEY_FALLBACKS: run `manage.py verify "
        "--re-sign-heads` before retiring it)"
    ) in verify("--quote", chained.number)

    # when the heads are re-signed
    output = verify("--re-sign-heads")
    assert f"{chained.number} head: re-signed with the current key (7 events)" in output
    assert "1 head(s) re-signed with the current key." in output

    # then the old key can go
    settings.SECRET_KEY_FALLBACKS = []
    assert f"{chained.number} head: ok (7 events, last hash" in verify("--quote", chained.number)
    assert "signed with the current key)" in verify("--quote", chained.number)
    # and re-signing again changes nothing
    assert "head: already signed with the current key (7 events)" in verify("--re-sign-heads")


def test_security_28_retiring_the_old_key_before_re_signing_breaks_the_heads(chained, settings):
    settings.SECRET_KEY = "a-brand-new-server-secret-key-0123456789-abcdefghijklmn"
    output, _ = verify_failing("--quote", chained.number)
    assert f"{chained.number} head: BROKEN: the head's signature does not match" in output


def test_security_28_re_signing_refuses_a_head_whose_chain_does_not_verify(chained, settings):
    # given the last event deleted under the old key, then the key rotated
    QuoteEvent.objects.filter(quote=chained, sequence=7).delete()
    settings.SECRET_KEY = "a-brand-new-server-secret-key-0123456789-abcdefghijklmn"
    settings.SECRET_KEY_FALLBACKS = [SERVER_KEY]
    before = head_of(chained.pk)

    output, error = verify_failing("--re-sign-heads")
    assert (
        f"{chained.number} head: not re-signed: the chain ends at event #6 but its head says "
        "7 events: events were deleted from the end"
    ) in output
    assert error.startswith("1 head(s) not re-signed")

    # then the head is as it was: still signed by the old key only
    assert head_of(chained.pk) == before


def test_security_28_re_signing_refuses_a_head_no_key_of_ours_signed(chained):
    head_to_end(chained.pk, secret=ATTACKERS_GUESS)
    before = head_of(chained.pk)

    output, _ = verify_failing("--re-sign-heads")

    assert f"{chained.number} head: not re-signed: the head's signature does not match" in output
    assert head_of(chained.pk) == before


# --- The acceptance, deleted or without its event (SECURITY.md 12, 16) -----------------


@pytest.mark.parametrize(
    "state", [QuoteState.CLOSED, QuoteState.READY_FOR_BILLING, QuoteState.ACCEPTED]
)
def test_security_12_a_deleted_acceptance_is_named(accepted, state):
    # given the acceptance row deleted from a quote in a state only acceptance leads to
    quote = accepted.quote
    Quote.objects.filter(pk=quote.pk).update(state=state)
    Acceptance.objects.filter(pk=accepted.pk).delete()

    output, _ = verify_failing("--quote", quote.number)

    assert (
        f"{quote.number} acceptance: BROKEN: event #{accepted.event_sequence} records an "
        f"acceptance (signature hash {accepted.signature_hash[:12]}…) but no acceptance row "
        "exists: the acceptance was deleted; the quote is "
        f"{QuoteState(state).label.lower()} but no acceptance is recorded: the acceptance "
        "was deleted"
    ) in output


def test_security_12_a_deleted_acceptance_whose_event_data_is_unreadable_is_named(accepted):
    # given the acceptance row deleted and its event's data replaced by a list
    quote = accepted.quote
    Acceptance.objects.filter(pk=accepted.pk).delete()
    QuoteEvent.objects.filter(quote=quote, sequence=accepted.event_sequence).update(
        data=[accepted.signature_hash]
    )

    output, _ = verify_failing("--quote", quote.number)

    assert (
        f"{quote.number} acceptance: BROKEN: event #{accepted.event_sequence} records an "
        "acceptance (its data cannot be read: quote_accepted data must be an object, not "
        "list) but no acceptance row exists: the acceptance was deleted; the quote is closed "
        "but no acceptance is recorded: the acceptance was deleted"
    ) in output


def test_security_12_an_acceptance_deleted_with_its_event_is_still_named_by_the_state(accepted):
    quote = accepted.quote
    Acceptance.objects.filter(pk=accepted.pk).delete()
    QuoteEvent.objects.filter(quote=quote, sequence=accepted.event_sequence).delete()
    head_to_end(quote.pk, secret=SERVER_KEY)  # even with the server's key

    output, _ = verify_failing("--quote", quote.number)
    assert f"{quote.number} head: ok" in output
    assert (
        f"{quote.number} acceptance: BROKEN: the quote is closed but no acceptance is "
        "recorded: the acceptance was deleted"
    ) in output


def test_security_12_an_acceptance_row_without_its_event_is_named(accepted):
    quote = accepted.quote
    QuoteEvent.objects.filter(quote=quote, sequence=accepted.event_sequence).delete()

    output, _ = verify_failing("--quote", quote.number)

    assert f"{quote.number} events: ok" in output
    assert (
        f"{quote.number} head: BROKEN: the chain ends at event #{accepted.event_sequence - 1} "
        f"but its head says {accepted.event_sequence} events"
    ) in output
    assert (
        f"{quote.number} acceptance: BROKEN at acceptance #{accepted.pk}: the acceptance "
        f"event #{accepted.event_sequence} is missing (deleted)"
    ) in output


def test_security_12_an_acceptance_on_a_quote_set_back_to_sent_is_named(accepted):
    quote = accepted.quote
    Quote.objects.filter(pk=quote.pk).update(state=QuoteState.SENT)
    output, _ = verify_failing("--quote", quote.number)
    assert (
        f"{quote.number} acceptance: BROKEN at acceptance #{accepted.pk}: an acceptance is "
        "recorded but the quote is sent: its state was changed"
    ) in output


# --- The hash the emails carried (SECURITY.md 17, 28) ---------------------------------


def test_security_17_an_intact_acceptance_names_the_hash_both_emails_carry(accepted):
    output = verify("--quote", accepted.quote.number)
    assert (
        f"{accepted.quote.number} emails: ok (both acceptance emails carry signature hash "
        f"{accepted.signature_hash[:12]}…)"
    ) in output


def test_security_17_a_changed_emailed_hash_is_named(accepted):
    # given the hash recorded with the client's confirmation changed
    forged = "f" * 64
    OutboxEmail.objects.filter(dedupe_key=f"acceptance_client:{accepted.pk}").update(
        context={"acceptance": accepted.pk, "signature_hash": forged}
    )

    output, _ = verify_failing("--quote", accepted.quote.number)

    assert (
        f"{accepted.quote.number} emails: BROKEN: the client's confirmation is to be sent with "
        f"signature hash {forged}, the database says {accepted.signature_hash}"
    ) in output


def test_security_17_a_rewritten_signature_hash_differs_from_the_one_emailed(accepted):
    # given the acceptance's signature hash rewritten (the emails already went out)
    OutboxEmail.objects.filter(kind__startswith="acceptance_").update(status="sent")
    rewritten = "e" * 64
    Acceptance.objects.filter(pk=accepted.pk).update(signature_hash=rewritten)

    output, _ = verify_failing("--quote", accepted.quote.number)

    for email in ("the client's confirmation", "the rep's notification"):
        assert (
            f"{email} was emailed with signature hash {accepted.signature_hash}, the database "
            f"says {rewritten}"
        ) in output


def test_security_17_a_deleted_acceptance_email_is_named(accepted):
    OutboxEmail.objects.filter(dedupe_key=f"acceptance_rep:{accepted.pk}").delete()
    output, _ = verify_failing("--quote", accepted.quote.number)
    assert (
        f"{accepted.quote.number} emails: BROKEN: the rep's notification is missing from the "
        "outbox: its row was deleted"
    ) in output


def test_emails_queued_before_the_hash_was_recorded_are_said_not_compared(accepted):
    OutboxEmail.objects.filter(kind__startswith="acceptance_").update(
        context={"acceptance": accepted.pk}
    )
    output = verify("--quote", accepted.quote.number)
    assert (
        f"{accepted.quote.number} emails: ok (no recorded hash differs from the database; "
        "the client's confirmation and the rep's notification predate recording the emailed "
        "hash: not compared)"
    ) in output


def test_security_17_the_emails_show_the_hash_recorded_when_the_client_accepted(accepted):
    # given the acceptance's hash rewritten while its emails still wait in the outbox
    rewritten = "e" * 64
    Acceptance.objects.filter(pk=accepted.pk).update(signature_hash=rewritten)

    # when the outbox builds them
    bodies = [
        render_outbox_email(email).body
        for email in OutboxEmail.objects.filter(kind__startswith="acceptance_")
    ]

    # then both show the hash recorded at acceptance, which verify compares with the row
    assert len(bodies) == 2
    for body in bodies:
        assert accepted.signature_hash in body
        assert rewritten not in body
    output, _ = verify_failing("--quote", accepted.quote.number)
    assert (
        f"the client's confirmation is to be sent with signature hash "
        f"{accepted.signature_hash}, the database says {rewritten}"
    ) in output
