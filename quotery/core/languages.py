"""The languages a client reads Quotery in, and how dates are written in each.

Every text a client sees (the portal pages, the emails to them, the PDFs and the consent
text) goes through Django's translation system. Which language: the client's own, else the
company's (`client_language`). The rep's app stays English.

Dates follow the language: "7 December 2026" in English, "7. Dezember 2026" in German.
Money follows it too (`quotery.core.money.format_money`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import dateformat, translation
from django.utils.translation import gettext_lazy as _

DEFAULT_LANGUAGE = "en"

# What a rep picks from: the languages with complete translations (settings.LANGUAGES).
LANGUAGE_CHOICES = [("en", _("English")), ("de", _("German"))]
# A client's choice: blank follows the company's.
CLIENT_LANGUAGE_CHOICES = [("", _("The company's language")), *LANGUAGE_CHOICES]

# Django's date format characters (`django.utils.dateformat`): month names come from the
# active language's translations.
_LONG_DATE = {"en": "j F Y", "de": "j. F Y"}
_LONG_DATETIME = {"en": "j F Y, H:i T", "de": "j. F Y, H:i T"}
_SHORT_DATETIME = {"en": "j M Y, H:i T", "de": "j. M Y, H:i T"}
_AT_TIME = {"en": "j F Y \\a\\t H:i T", "de": "j. F Y \\u\\m H:i T"}


def supported(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def client_language(client_language: str, company_language: str) -> str:
    """The language a client reads: theirs when set, else the company's, else English. A
    code that is not (or no longer) among LANGUAGES falls back the same way."""
    for language in (client_language, company_language):
        if language and supported(language):
            return language
    return DEFAULT_LANGUAGE


def active_language() -> str:
    """The active language among LANGUAGES ("de-at" reads as "de"); English otherwise."""
    current = (translation.get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return current if supported(current) else DEFAULT_LANGUAGE


def _formatted(value: dt.date | dt.datetime, formats: dict[str, str]) -> str:
    return dateformat.format(value, formats.get(active_language(), formats[DEFAULT_LANGUAGE]))


def long_date(day: dt.date | dt.datetime) -> str:
    """'7 December 2026', '7. Dezember 2026': a day in the active language."""
    return _formatted(day, _LONG_DATE)


def long_datetime(moment: dt.datetime) -> str:
    """'7 December 2026, 14:05 CET' in the moment's own zone (localise it first)."""
    return _formatted(moment, _LONG_DATETIME)


def short_datetime(moment: dt.datetime) -> str:
    """'7 Dec 2026, 14:05 CET', '7. Dez. 2026, 14:05 CET'."""
    return _formatted(moment, _SHORT_DATETIME)


def at_time(moment: dt.datetime) -> str:
    """'7 December 2026 at 14:05 CET', '7. Dezember 2026 um 14:05 CET'."""
    return _formatted(moment, _AT_TIME).strip()
