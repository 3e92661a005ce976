"""The consent text a client agrees to when accepting, and its version.

The exact text shown is stored with every acceptance (SECURITY.md 12). Change the wording
only together with a new version, so every stored acceptance names the words it agreed to.

One version per language: each translation of the text is a text of its own, so it has a
version of its own (`consent_version`), and the acceptance records the language too. A
translation changed in locale/<lang>/LC_MESSAGES/django.po without a new version here fails
the pinned test of its words (quotery/sharing/tests/test_consent.py).

Versions:
- "2026-11-1" (English): "I accept quote <number> from <company> for <total>, on the terms
  it states, and I am authorised to do so. I agree to do business electronically: ..."
- "2026-12-1" (English): the same, and with a deposit "..., with a deposit of <percent> %
  (<amount>) payable on acceptance, on the terms it states, ...". Without a deposit the
  words are those of "2026-11-1".
- "2026-12-1-de" (German): the words of "2026-12-1" in German ("Ich nehme das Angebot
  <number> von <company> über <total> an ...").
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from quotery.core.languages import DEFAULT_LANGUAGE

CONSENT_VERSION = "2026-12-1"  # the English text's
CONSENT_VERSIONS = {"en": CONSENT_VERSION, "de": "2026-12-1-de"}


def consent_version(language: str) -> str:
    """The version of the consent text in `language` (English's for one without its own)."""
    return CONSENT_VERSIONS.get(language, CONSENT_VERSIONS[DEFAULT_LANGUAGE])


def consent_text(
    *,
    company_name: str,
    quote_number: str,
    total: str,
    deposit_percent: str = "",
    deposit: str = "",
) -> str:
    """The words the client agrees to, in the active language (whose version is
    `consent_version(active_language())`). With a deposit (`deposit_percent` and its amount
    `deposit`, as the client page shows them) they name it, so the signed consent says what
    the client agreed to pay on acceptance."""
    words = {
        "number": quote_number,
        "company": company_name,
        "total": total,
        "percent": deposit_percent,
        "deposit": deposit,
    }
    if deposit_percent:
        agreed = (
            _(
                "I accept quote %(number)s from %(company)s for %(total)s, with a deposit of "
                "%(percent)s %% (%(deposit)s) payable on acceptance"
            )
            % words
        )
    else:
        agreed = _("I accept quote %(number)s from %(company)s for %(total)s") % words
    return agreed + _(
        ", on the terms it states, and I am authorised to do so. I agree to do business "
        "electronically: typing my name here is my signature and has the same effect as "
        "signing on paper."
    )
