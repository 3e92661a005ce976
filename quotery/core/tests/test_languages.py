"""The client's language (theirs, else the company's), and dates and money as each language
writes them (quotery.core.languages, quotery.core.money)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import translation

from quotery.core.languages import (
    active_language,
    at_time,
    client_language,
    long_date,
    long_datetime,
)
from quotery.core.money import format_money

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("client", "company", "expected"),
    [
        ("de", "en", "de"),  # the client's own wins
        ("en", "de", "en"),
        ("", "de", "de"),  # blank: the company's
        ("", "en", "en"),
        ("", "", "en"),  # neither: English
        ("fr", "de", "de"),  # not (or no longer) a language we have: the next choice
        ("fr", "xx", "en"),
    ],
)
def test_a_client_reads_their_own_language_else_the_companys(client, company, expected):
    assert client_language(client, company) == expected


def test_the_active_language_is_one_we_have():
    with translation.override("de-at"):
        assert active_language() == "de"
    with translation.override("fr"):
        assert active_language() == "en"


@pytest.mark.parametrize(
    ("amount", "currency", "english", "german"),
    [
        ("1234.56", "EUR", "€1,234.56", "1.234,56 €"),
        ("1234567.5", "EUR", "€1,234,567.50", "1.234.567,50 €"),
        ("0", "EUR", "€0.00", "0,00 €"),
        ("-19.99", "USD", "-$19.99", "-19,99 $"),
        ("1000", "JPY", "¥1,000", "1.000 ¥"),
        ("12", "CHF", "CHF 12.00", "12,00 CHF"),
        ("1.5", "PLN", "1.50 PLN", "1,50 PLN"),
        ("2.005", "KWD", "2.005 KWD", "2,005 KWD"),
    ],
)
def test_money_follows_the_active_language(amount, currency, english, german):
    with translation.override("en"):
        assert format_money(Decimal(amount), currency) == english
    with translation.override("de"):
        assert format_money(Decimal(amount), currency) == german


def test_dates_follow_the_active_language():
    day = dt.date(2026, 12, 7)
    moment = dt.datetime(2026, 3, 1, 14, 5, tzinfo=BERLIN)
    with translation.override("en"):
        assert long_date(day) == "7 December 2026"
        assert long_datetime(moment) == "1 March 2026, 14:05 CET"
        assert at_time(moment) == "1 March 2026 at 14:05 CET"
    with translation.override("de"):
        assert long_date(day) == "7. Dezember 2026"
        assert long_date(dt.date(2027, 3, 1)) == "1. März 2027"
        assert long_datetime(moment) == "1. März 2026, 14:05 CET"
        assert at_time(moment) == "1. März 2026 um 14:05 CET"
