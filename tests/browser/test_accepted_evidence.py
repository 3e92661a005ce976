"""The evidence in words, in a real browser at 375 and 1280 px: the accepted PDF the client
downloads is stamped on page 1 with the signature drawn in the bundled script, and its
certificate reads for a person first; the client and the rep read a short reference and the
browser by name, with the full hash and raw user agent one click (or Enter) away; axe-core
finds no serious or critical violation and nothing scrolls sideways or spills out of its box.

Exercises: quotery.portal.views.client.page,
quotery.portal.views.acceptance.accepted_pdf_download, quotery.quotes.views.quote_detail,
quotery.documents.acceptance.accepted_pdf, quotery.core.templatetags.evidence
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.core.evidence_text import short_reference
from quotery.core.request_meta import RequestMeta
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.sharing.models import Acceptance
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def own_seal(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")


@pytest.fixture
def accepted(db) -> tuple[Any, Acceptance]:  # type: ignore[no-untyped-def]
    company = CompanyFactory(name="Northwind Office Supply", time_zone="Europe/Berlin")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    shared = share_quote(rep)
    acceptance = accept_shared(
        shared,
        name="Anna Client",
        email="anna@client.test",
        meta=RequestMeta(ip="203.0.113.7", user_agent=CHROME_WINDOWS),
    )
    return shared, acceptance


def context_at(browser: Any, live_server: Any, width: int) -> Any:
    return browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,  # axe is injected as a script
        viewport={"width": width, "height": 812 if width < 800 else 900},
    )


def fits(page: Any) -> None:
    """No sideways scroll, and nothing in the acceptance's box wider than its own box."""
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways"
    spilled = page.evaluate(
        """() => [...document.querySelectorAll('.quote-answer, .acceptance-evidence')]
            .flatMap(box => {
                const edge = box.getBoundingClientRect();
                return [...box.querySelectorAll('*')]
                    .filter(el => el.getClientRects().length > 0)
                    .filter(el => {
                        const r = el.getBoundingClientRect();
                        return r.left < edge.left - 1 || r.right > edge.right + 1;
                    })
                    .map(el => el.tagName + '.' + el.className + ': '
                                + el.textContent.trim().slice(0, 40));
            })"""
    )
    assert spilled == [], spilled


def disclosure_opens_with_the_keyboard(page: Any, summary: str, full: str) -> None:
    """The full value is hidden until its disclosure is opened, by keyboard."""
    value = page.locator("code.hash", has_text=full)
    assert not value.is_visible()
    page.locator("summary", has_text=summary).focus()
    page.keyboard.press("Enter")
    value.wait_for(state="visible")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_client_reads_a_reference_and_downloads_a_stamped_signed_pdf(
    browser, live_server, accepted, width
) -> None:  # type: ignore[no-untyped-def]
    shared, acceptance = accepted
    reference = short_reference(acceptance.signature_hash)
    context = context_at(browser, live_server, width)
    try:
        page = context.new_page()
        page.goto(shared.url)

        # the accepted page names the reference, not 64 characters of hex
        page.get_by_role("heading", name="Accepted").wait_for()
        assert page.locator("code.reference").inner_text() == reference
        assert "signature code" not in page.content().lower()
        disclosure_opens_with_the_keyboard(page, "Full signature hash", acceptance.signature_hash)
        assert serious_violations(page) == []
        fits(page)

        # the accepted PDF it links to is stamped on page 1 and ends with the certificate
        href = page.get_by_role("link", name="Download accepted PDF").get_attribute("href")
        answer = page.request.get(href)
        assert answer.ok and answer.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(answer.body()))
        first = " ".join(reader.pages[0].extract_text().split())
        assert first.startswith("Northwind Office Supply ACCEPTED QUOTE")
        assert "Accepted by Anna Client on " in first and f"REFERENCE {reference}" in first
        assert "valid until" not in first.lower()
        resources: Any = reader.pages[0]["/Resources"]
        page_fonts = resources["/Font"].values()
        fonts = {str(font.get_object()["/BaseFont"]) for font in page_fonts}
        assert any("GreatVibes" in font for font in fonts), fonts
        certificate = " ".join(reader.pages[-1].extract_text().split())
        order = [
            f"Reference {reference}",
            "Signed by Anna Client",
            "How the email was confirmed",
            "Browser Chrome on Windows",
            "Technical evidence",
            "User agent Mozilla/5.0",
        ]
        positions = [certificate.find(words) for words in order]
        assert -1 not in positions and positions == sorted(positions), positions
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_rep_reads_the_browser_by_name_and_a_short_reference(
    browser, live_server, accepted, width
) -> None:  # type: ignore[no-untyped-def]
    shared, acceptance = accepted
    context = context_at(browser, live_server, width)
    try:
        page = context.new_page()
        log_in(page, "rita@northwind.test")
        page.goto(reverse("quotes:detail", args=[shared.quote.pk]))

        panel = page.locator(".acceptance-evidence")
        panel.get_by_role("heading", name="Acceptance").wait_for()
        text = panel.inner_text()
        assert "Chrome on Windows" in text
        assert short_reference(acceptance.signature_hash) in text
        assert acceptance.signature_hash not in text and "Mozilla" not in text
        assert re.search(r"\bSignature code\b", text) is None
        disclosure_opens_with_the_keyboard(page, "Browser details", CHROME_WINDOWS)
        disclosure_opens_with_the_keyboard(page, "Full signature hash", acceptance.signature_hash)
        assert serious_violations(page) == []
        fits(page)
    finally:
        context.close()
