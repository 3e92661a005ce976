"""A German client's journey end to end on a phone (375 px): the link opens in German, with
German money and dates; they accept with their typed name; the accepted PDF is German and
the acceptance records the language shown (issue 10, item 5).

Exercises: quotery.portal.views.client.page, quotery.portal.views.acceptance.accept,
quotery.portal.views.acceptance.accepted_pdf_download, quotery.core.languages,
quotery.core.money.format_money, quotery.documents.acceptance.accepted_pdf
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from pypdf import PdfReader

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.core.languages import long_date
from quotery.core.money import format_money
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.sharing.models import Acceptance
from tests.browser.accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


@pytest.fixture(autouse=True)
def own_seal(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")


def test_a_german_client_reads_accepts_and_gets_a_german_pdf_on_a_phone(
    browser: Any, live_server: Any
) -> None:
    # given an English-speaking company and a client whose language is German
    company = CompanyFactory(name="Northwind Büro", time_zone="Europe/Berlin")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    shared = share_quote(rep, email="berta@kunde.test", deposit_percent="30")
    client = shared.quote.client
    client.language = "de"
    client.save(update_fields=["language"])
    quote = shared.quote
    with translation.override("de"):
        total = format_money(quote.total, quote.currency)
        valid_until = long_date(quote.valid_until)
    assert total.endswith(" €") and "," in total  # "1.234,56 €"

    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    try:
        page = context.new_page()
        # when the client opens the link on a phone
        page.goto(shared.url)

        # then the page is German: its language, its words, its money and its dates
        assert page.locator("html").get_attribute("lang") == "de"
        page.get_by_role("heading", name=quote.title).wait_for()
        assert page.get_by_role("navigation", name="Auf dieses Angebot antworten").is_visible()
        meta = page.locator(".quote-meta").text_content() or ""
        assert "Gültig bis" in meta and valid_until in meta
        assert ". " in valid_until  # "6. Januar 2027"
        assert page.get_by_test_id("quote-total").inner_text() == total
        assert page.get_by_test_id("action-bar-total").inner_text() == total
        body = page.locator("main").text_content() or ""
        for english in ("Valid until", "Request changes", "Download PDF", "Total"):
            assert english not in body
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ), "the page scrolls sideways"
        assert serious_violations(page) == []

        # when they accept with their typed name
        page.get_by_role("link", name="Annehmen").click()
        page.get_by_role("heading", name=f"Angebot {quote.number} annehmen").wait_for()
        assert page.get_by_label("Ihre E-Mail-Adresse").input_value() == "berta@kunde.test"
        page.get_by_label("Ihr vollständiger Name").fill("Berta Kundin")
        consent = page.get_by_label(f"Ich nehme das Angebot {quote.number} von Northwind Büro")
        assert f"über {total} an" in consent.locator("xpath=..").inner_text()
        consent.check()
        page.get_by_role("button", name="Annehmen").click()

        # then the page thanks them in German and offers the accepted PDF
        page.get_by_text("Vielen Dank: Ihre Annahme ist erfasst.").wait_for()
        page.get_by_role("heading", name="Angenommen").wait_for()
        href = page.get_by_role("link", name="Angenommenes PDF herunterladen").get_attribute("href")
        assert href is not None
        answer = page.request.get(href)
        assert answer.status == 200
        pages = PdfReader(io.BytesIO(answer.body())).pages
        first, last = pages[0].extract_text(), pages[-1].extract_text()
    finally:
        context.close()

    # and the accepted PDF is German: the stamp, the money and the certificate
    assert "ANGENOMMENES ANGEBOT" in first.upper() and "Berta Kundin" in first
    assert total in first and "Gültig bis" not in first
    assert "Annahmebestätigung" in last and "Technische Nachweise" in last
    assert "Acceptance certificate" not in last and "Signed by" not in last
    # and the acceptance records the German words and the language shown
    acceptance = Acceptance.objects.get(quote=quote)
    assert acceptance.language == "de"
    assert acceptance.consent_version == "2026-12-1-de"
    assert acceptance.signer_name == "Berta Kundin"
    assert acceptance.deposit_amount and Decimal(acceptance.deposit_amount) > 0
