"""manage.py verify: an intact chain passes; an edited, inserted or deleted row is named
(SECURITY.md 16), and the command exits non-zero."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, ManagementUtility

from quotery.engagement.chain import link_hash
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.tests.conftest import shared
from quotery.engagement.tests.tampering import verify, verify_failing
from quotery.quotes.models import Quote

pytestmark = pytest.mark.django_db


def test_security_16_an_intact_chain_passes(chained):
    output = verify("--quote", chained.number)
    assert f"{chained.number} events: ok (7 events chained)" in output
    assert "All 1 quote(s) verified." in output


def test_security_16_an_edited_row_is_named(chained, rep):
    # given a view whose recipient was changed behind the app's back
    QuoteEvent.objects.filter(quote=chained, sequence=5).update(recipient_email="x@evil.test")

    # then verify names the quote and the row, and fails
    output, error = verify_failing("--quote", chained.number)
    assert f"{chained.number} events: BROKEN at event #5: its fields do not match its hash" in (
        output
    )
    assert "1 check(s) failed" in error


def test_security_16_an_edited_time_is_named(chained):
    event = QuoteEvent.objects.get(quote=chained, sequence=3)
    QuoteEvent.objects.filter(pk=event.pk).update(
        occurred_at=event.occurred_at - dt.timedelta(days=3)
    )
    output, _ = verify_failing("--quote", chained.number)
    assert "BROKEN at event #3" in output


def test_security_16_an_inserted_row_is_named(chained):
    # given a forged view slipped in after event #2, later rows renumbered to make room,
    # the forgery itself correctly hashed onto #2
    for sequence in range(7, 2, -1):  # from the end, so no two rows share a number
        QuoteEvent.objects.filter(quote=chained, sequence=sequence).update(sequence=sequence + 1)
    before = QuoteEvent.objects.get(quote=chained, sequence=2)
    forged = QuoteEvent(
        company_id=chained.company_id,
        quote_id=chained.pk,
        sequence=3,
        kind=EventKind.QUOTE_VIEWED,
        occurred_at=before.occurred_at,
        recipient_email="anna@client.test",
        revision_number=1,
        data={"open": 2},
        prev_hash=before.hash,
    )
    forged.hash = link_hash(before.hash, forged)
    forged.save(force_insert=True)

    # then the row after the forgery no longer fits: the first bad row is #4
    output, _ = verify_failing("--quote", chained.number)
    assert f"{chained.number} events: BROKEN at event #4" in output


def test_security_16_a_deleted_row_is_named(chained):
    QuoteEvent.objects.filter(quote=chained, sequence=4).delete()
    output, _ = verify_failing("--quote", chained.number)
    assert f"{chained.number} events: BROKEN at event #5: expected event #4 but found #5" in output


def test_security_16_a_deleted_row_renumbered_over_is_named(chained):
    # the deleted row's gap closed by renumbering the later rows
    QuoteEvent.objects.filter(quote=chained, sequence=4).delete()
    for sequence in range(5, 8):
        QuoteEvent.objects.filter(quote=chained, sequence=sequence).update(sequence=sequence - 1)
    output, _ = verify_failing("--quote", chained.number)
    assert "BROKEN at event #4" in output


def test_security_16_verify_checks_every_quote_and_reports_only_the_broken_one(chained, rep):
    intact = Quote.objects.get(pk=shared(rep, email="ben@client.test").quote_id)
    QuoteEvent.objects.filter(quote=chained, sequence=2).update(data={"open": 99})
    output, error = verify_failing()
    assert f"{intact.number} events: ok" in output
    assert f"{chained.number} events: BROKEN at event #2" in output
    assert "1 check(s) failed over 2 quote(s)" in error


def test_security_16_a_broken_chain_exits_non_zero(chained):
    QuoteEvent.objects.filter(quote=chained, sequence=1).update(revision_number=9)
    with pytest.raises(SystemExit) as exit_status:
        ManagementUtility(["manage.py", "verify", "--quote", chained.number]).execute()
    assert exit_status.value.code != 0


def test_verify_scopes_to_a_company(chained, other_company, rep):
    from quotery.accounts.factories import member
    from quotery.accounts.models import Role

    theirs = Quote.objects.get(pk=shared(member(other_company, Role.REP)).quote_id)
    QuoteEvent.objects.filter(quote=theirs).update(recipient_email="x@evil.test")
    output = verify("--company", chained.company.slug)
    assert chained.number in output and "BROKEN" not in output


def test_unknown_quote_or_company_gets_a_clear_message(chained):
    with pytest.raises(CommandError, match="No quote numbered “Q-1999-0001”"):
        verify("--quote", "Q-1999-0001")
    with pytest.raises(CommandError, match="No company with the slug “nope”"):
        verify("--company", "nope")
