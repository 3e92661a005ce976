"""The deposit a client agreed to is part of the evidence (SECURITY.md 12, 15, 28): the
signed record and the record sealed into the accepted PDF carry it, so rewriting it in the
database, even with the server's key, is named by `manage.py verify`."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from quotery.documents.acceptance import accepted_pdf
from quotery.engagement.models import QuoteEvent
from quotery.engagement.tests.tampering import head_to_end, rechain, verify, verify_failing
from quotery.notifications.models import OutboxEmail
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.sharing.models import Acceptance
from quotery.sharing.signatures import signature_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage_and_seal")]


@pytest.fixture
def sealed(rep) -> Acceptance:
    """An acceptance of a quote asking for a 30 % deposit (6.42 of 21.39), PDF sealed."""
    shared = share_quote(rep, sections=1, lines_per_section=1, deposit_percent="30")
    acceptance = accept_shared(shared)
    accepted_pdf(acceptance=acceptance)
    return Acceptance.objects.select_related("quote__company").get(pk=acceptance.pk)


def test_an_honest_acceptance_with_a_deposit_verifies(sealed: Acceptance) -> None:
    output = verify("--quote", sealed.quote.number)
    assert (
        f"{sealed.quote.number} sealed PDF: ok (its embedded record agrees with the database "
        "(21 fields) and with its certificate page)"
    ) in output
    assert "BROKEN" not in output


def test_a_deposit_rewritten_everywhere_in_the_database_is_named(sealed: Acceptance) -> None:
    # when someone with the database and SECRET_KEY removes the deposit from the acceptance,
    # its consent text and everything that would give it away in the database
    row = Acceptance.objects.get(pk=sealed.pk)
    row.deposit_percent, row.deposit_amount = "0", "0.00"
    row.consent_text = row.consent_text.replace(
        ", with a deposit of 30 % (€6.42) payable on acceptance", ""
    )
    row.signature_hash = signature_hash(row.prev_hash, row)
    Acceptance.objects.filter(pk=row.pk).update(
        deposit_percent="0",
        deposit_amount="0.00",
        consent_text=row.consent_text,
        signature_hash=row.signature_hash,
    )
    QuoteEvent.objects.filter(quote_id=row.quote_id, sequence=row.event_sequence).update(
        data={"acceptance": row.pk, "signature_hash": row.signature_hash}
    )
    rechain(row.quote_id)
    head_to_end(row.quote_id, secret=django_settings.SECRET_KEY)
    OutboxEmail.objects.filter(
        dedupe_key__in=[f"acceptance_client:{row.pk}", f"acceptance_rep:{row.pk}"]
    ).update(context={"acceptance": row.pk, "signature_hash": row.signature_hash})

    output, error = verify_failing("--quote", sealed.quote.number)

    # then the sealed record names the deposit agreed, field by field
    assert "deposit %: the database says '0', the sealed PDF's record says '30'" in output
    assert (
        "deposit amount: the database says '0.00', the sealed PDF's record says '6.42'"
    ) in output
    assert "consent text: the database says" in output
    # and the acceptance no longer agrees with the revision the client accepted
    assert (
        "the deposit it records (none) is not the one the accepted revision asks for (30 %, 6.42)"
    ) in output
    # (two checks: the acceptance against its revision, and the sealed PDF)
    assert "2 check(s) failed over 1 quote(s)" in error
