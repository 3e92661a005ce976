"""The acceptance records the language the client was shown, binds it into the signed
record with the consent text in that language and its version; acceptances recorded before
languages existed keep their signature hashes (quotery.portal.services.acceptance)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from quotery.core.exceptions import RevisionMismatch
from quotery.documents.acceptance import accepted_pdf
from quotery.documents.acceptance_record import (
    certificate_page_text,
    certificate_page_values,
    embedded_record,
)
from quotery.engagement.tests.tampering import verify, verify_failing
from quotery.notifications.models import Notification
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    accept_shared,
    footprint,
    latest_revision_hash,
    share_quote,
)
from quotery.sharing.models import Acceptance
from quotery.sharing.signatures import signature_hash

pytestmark = pytest.mark.django_db


def _client_speaks(shared, language: str) -> None:
    client = shared.quote.client
    client.language = language
    client.save(update_fields=["language"])


def test_a_german_client_accepts_in_german_and_the_record_says_so(rep):
    # given a client whose language is German (the company's is English)
    shared = share_quote(rep, sections=1, lines_per_section=1)
    _client_speaks(shared, "de")

    # when they accept
    acceptance = accept_shared(shared)

    # then the acceptance names the language, the German words and their version
    stored = Acceptance.objects.get(pk=acceptance.pk)
    assert stored.language == "de"
    assert stored.consent_version == "2026-12-1-de"
    assert stored.consent_text.startswith(f"Ich nehme das Angebot {shared.quote.number} von ")
    assert " €" in stored.consent_text and "I accept" not in stored.consent_text
    # and the signature hash covers the language
    assert stored.signed_record()["language"] == "de"
    assert stored.signature_hash == signature_hash(stored.prev_hash, stored)
    stored.language = "en"
    assert signature_hash(stored.prev_hash, stored) != stored.signature_hash


def test_the_company_language_applies_when_the_client_has_none(rep):
    company = rep.membership.company
    company.language = "de"
    company.save(update_fields=["language"])
    shared = share_quote(rep, sections=1, lines_per_section=1)
    assert shared.quote.client.language == ""

    acceptance = accept_shared(shared)

    assert acceptance.language == "de" and acceptance.consent_version == "2026-12-1-de"


def test_an_english_client_accepts_the_english_words(rep):
    shared = share_quote(rep, sections=1, lines_per_section=1)
    _client_speaks(shared, "en")
    acceptance = accept_shared(shared)
    assert acceptance.language == "en"
    assert acceptance.consent_version == "2026-12-1"
    assert acceptance.consent_text.startswith("I accept quote ")


def test_an_acceptance_from_before_languages_keeps_its_signed_record(rep):
    # given an acceptance as recorded before languages existed (no language)
    shared = share_quote(rep, sections=1, lines_per_section=1)
    acceptance = accept_shared(shared)
    Acceptance.objects.filter(pk=acceptance.pk).update(language="")
    old = Acceptance.objects.get(pk=acceptance.pk)

    # then its signed record does not name a language, as then
    record = old.signed_record()
    assert "language" not in record
    assert record["accepted_at"] == old.accepted_at.astimezone(dt.UTC).isoformat(
        timespec="microseconds"
    )


def test_the_accepted_pdf_is_german_and_reads_back(rep, settings, tmp_path):
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")
    shared = share_quote(rep, sections=1, lines_per_section=1)
    _client_speaks(shared, "de")
    acceptance = accept_shared(shared)

    pdf = accepted_pdf(acceptance=acceptance)

    page = certificate_page_text(pdf)
    assert "Annahmebestätigung" in page and "Technische Nachweise" in page
    assert "Acceptance certificate" not in page
    # the German page reads back field by field, and the record names the language
    values = certificate_page_values(page)
    assert values["consent_version"] == "2026-12-1-de"
    assert values["signer_name"] == "Anna Client"
    record = embedded_record(pdf)
    assert record is not None and record["language"] == "de"


def test_a_german_acceptance_verifies_against_its_german_pdf(rep, settings, tmp_path):
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")
    shared = share_quote(rep, sections=1, lines_per_section=1)
    _client_speaks(shared, "de")
    acceptance = accept_shared(shared)
    accepted_pdf(acceptance=acceptance)

    output = verify("--quote", shared.quote.number)

    # every field of the record, the language among them, and the German certificate page
    assert (
        "sealed PDF: ok (its embedded record agrees with the database (21 fields) and with "
        "its certificate page)"
    ) in output
    assert "BROKEN" not in output

    # and a language rewritten in the database is named
    Acceptance.objects.filter(pk=acceptance.pk).update(language="en")
    failed, _reason = verify_failing("--quote", shared.quote.number)
    assert "language shown: the database says 'en'" in failed


def test_a_form_shown_in_another_language_asks_for_a_review_and_records_nothing(rep):
    # given a form shown in English, then the rep set the client's language to German
    shared = share_quote(rep, sections=1, lines_per_section=1)
    _client_speaks(shared, "de")
    before = footprint(shared.quote)

    # when the client accepts from that English form
    with pytest.raises(RevisionMismatch):
        quote_accept(
            share=shared.share,
            signer_name="Anna Client",
            signer_email="anna@client.test",
            consent=True,
            revision_hash=latest_revision_hash(shared.quote),
            request_meta=CLIENT_META,
            language_shown="en",
        )

    # then nothing was recorded: the words they read are not the words that would be signed
    assert footprint(shared.quote) == before
    assert not Acceptance.objects.filter(quote=shared.quote).exists()


def test_the_accept_form_carries_the_language_it_was_shown_in(rep, client):
    shared = share_quote(rep, sections=1, lines_per_section=1)
    _client_speaks(shared, "de")
    page = client.get(reverse("portal:accept", args=[shared.token])).content.decode()
    assert 'name="language" value="de"' in page
    assert "Ich nehme das Angebot" in page


def test_the_rep_hears_of_a_german_acceptance_in_english(rep):
    # given a German client
    shared = share_quote(rep, sections=1, lines_per_section=1)
    _client_speaks(shared, "de")

    # when they accept (their request runs in German)
    with translation.override("de"):
        acceptance = accept_shared(shared)

    # then the rep's notification is in the rep app's English, money included
    note = Notification.objects.get(quote=shared.quote)
    assert note.text == f"Anna Client accepted {shared.quote.number} (€{acceptance.total})."
