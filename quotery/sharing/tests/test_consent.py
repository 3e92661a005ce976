"""The consent text has one version per language: each language's words are pinned to its
version here, so a changed translation without a new version fails (sharing.consent)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils import translation

from quotery.sharing.consent import CONSENT_VERSIONS, consent_text, consent_version

# The words of each version, with placeholders for the quote's facts, without and with a
# deposit. A new wording needs a new version (CONSENT_VERSIONS) and a new line here.
PINNED = {
    "2026-12-1": "71925352936c77b00d2911841a4c82a6bc6f60f6ce6ffcfae754347a216c8eac",
    "2026-12-1-de": "09ca68ea24f437a540e3c55bffcbd98ffcdfa61431bc7f3491c555a27430f9a0",
}


def words_in(language: str) -> str:
    with translation.override(language):
        plain = consent_text(company_name="{company}", quote_number="{number}", total="{total}")
        deposit = consent_text(
            company_name="{company}",
            quote_number="{number}",
            total="{total}",
            deposit_percent="{percent}",
            deposit="{deposit}",
        )
    return f"{plain}\n{deposit}"


def test_each_language_has_its_own_version():
    languages = [code for code, _name in settings.LANGUAGES]
    assert set(CONSENT_VERSIONS) == set(languages)
    assert len(set(CONSENT_VERSIONS.values())) == len(languages)
    assert consent_version("en") == "2026-12-1"  # English's words did not change
    assert consent_version("de") == "2026-12-1-de"
    assert consent_version("fr") == "2026-12-1"  # none of its own: English's


def test_each_versions_words_are_pinned():
    for language in CONSENT_VERSIONS:
        digest = hashlib.sha256(words_in(language).encode("utf-8")).hexdigest()
        assert PINNED[consent_version(language)] == digest, (
            f"The {language} consent text changed: give it a new version in "
            "quotery/sharing/consent.py and pin its words here."
        )


def test_the_german_text_is_german_and_names_the_deposit():
    with translation.override("de"):
        text = consent_text(
            company_name="Muster GmbH",
            quote_number="Q-2026-0007",
            total="1.234,56 €",
            deposit_percent="30",
            deposit="370,37 €",
        )
    assert text.startswith("Ich nehme das Angebot Q-2026-0007 von Muster GmbH über 1.234,56 € an")
    assert "Anzahlung von 30 % (370,37 €)" in text
    assert "Unterschrift" in text and "I accept" not in text
