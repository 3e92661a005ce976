"""SECURITY.md 21 on a quote with options: the names of optional lines, alternatives and
sections hold markup (and Typst code); they read as typed, never as markup, on the client
page, a refused choice, the client's accepted page, the rep's quote (the accepted choices,
the options not taken, the options the client tried) and in the accepted PDF.

Exercises: quotery.portal.views.client.page, quotery.portal.views.choices.choices,
quotery.portal.views.acceptance, quotery.quotes.views.quote_detail,
quotery.engagement.selectors.attention.quote_attention,
quotery.documents.acceptance.accepted_pdf
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.tests.portal_fixtures import (
    OptionNames,
    Shared,
    latest_revision_hash,
    share_options_quote,
)
from quotery.sharing.models import Acceptance

pytestmark = pytest.mark.django_db

NAMES = OptionNames(
    furniture="Furniture <script>alert(1)</script>",
    desk="Standing desk",
    warranty="Warranty <script>alert(2)</script>",
    installation="Hours <img src=x onerror=alert(3)>",
    finish='Finish <script>alert(4)</script> #panic("finish")',
    oak='Oak "><script>alert(5)</script>',
    walnut='Walnut ]#panic("walnut")[',
)
# What a page must never carry: the markup itself, live.
LIVE_MARKUP = ("<script>alert", "<img src=x", '"><script>')
# Each name as the HTML shows it: escaped once.
ESCAPED = {
    NAMES.warranty: "Warranty &lt;script&gt;alert(2)&lt;/script&gt;",
    NAMES.installation: "Hours &lt;img src=x onerror=alert(3)&gt;",
    NAMES.oak: "Oak &quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;",
}


def inert(html: str, where: str) -> None:
    for markup in LIVE_MARKUP:
        assert markup not in html, (where, markup)
    assert "&amp;lt;" not in html, (where, "escaped twice")


def choose_oak_warranty_and_ten_hours(visitor: HttpClient, shared: Shared) -> None:
    response = visitor.post(
        reverse("portal:choices", args=[shared.token]),
        {"include": "0.1", "choose.1": "1.0", "quantity.0.2": "10"},
    )
    assert response.status_code == 303


def test_security_21_option_and_section_names_are_inert_everywhere(login, rep) -> None:
    # given a quote whose option and section names carry markup, shared with a client
    shared = share_options_quote(rep, names=NAMES)
    visitor = HttpClient()

    # the client page shows every name as text
    page = visitor.get(shared.url).content.decode()
    inert(page, "client page")
    for name, escaped in ESCAPED.items():
        assert escaped in page, name
    assert "Furniture &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Quantity for Hours &lt;img src=x onerror=alert(3)&gt;" in page

    # a refused choice names the section as text, on the page and to the script
    two = {"choose.1": ["1.0", "1.1"]}
    url = reverse("portal:choices", args=[shared.token])
    refused = visitor.post(url, two)
    assert refused.status_code == 422  # the client page again, the refusal beside its field
    inert(refused.content.decode(), "refused choice")
    assert "Finish &lt;script&gt;alert(4)&lt;/script&gt;" in refused.content.decode()
    by_script = visitor.post(url, two, headers={"X-Quotery-Choices": "1"})
    assert by_script.status_code == 400
    assert by_script["Content-Type"].startswith("text/plain")
    assert by_script["X-Content-Type-Options"] == "nosniff"

    # when the client chooses and accepts
    choose_oak_warranty_and_ten_hours(visitor, shared)
    accept_url = reverse("portal:accept", args=[shared.token])
    form = visitor.get(accept_url).content.decode()
    inert(form, "accept form")
    configuration_hash = re.search(r'name="configuration_hash" value="([0-9a-f]{64})"', form)
    assert configuration_hash
    accepted = visitor.post(
        accept_url,
        {
            "signer_name": "Anna Client",
            "signer_email": "anna@client.test",
            "consent": "on",
            "revision_hash": latest_revision_hash(shared.quote),
            "configuration_hash": configuration_hash.group(1),
        },
    )
    assert accepted.status_code == 302
    acceptance = Acceptance.objects.get(quote=shared.quote)
    assert (
        QuoteEvent.objects.filter(quote_id=shared.quote.pk, kind=EventKind.OPTION_CHANGED).count()
        == 3
    )

    # then the client's accepted page shows the names as text
    done = visitor.get(accepted["Location"]).content.decode()
    inert(done, "accepted page")
    assert ESCAPED[NAMES.oak] in done

    # and so does the rep's quote: the choices accepted, the option not taken, the options
    # the client tried
    quote_page = login(rep).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    inert(quote_page, "rep's quote")
    assert "Walnut ]#panic(&quot;walnut&quot;)[ (Finish &lt;script&gt;alert(4)&lt;/script&gt;" in (
        quote_page
    )
    assert "added Warranty &lt;script&gt;alert(2)&lt;/script&gt;" in quote_page
    assert (
        "chose Oak &quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt; over "
        "Walnut ]#panic(&quot;walnut&quot;)[" in quote_page
    )
    assert "Hours &lt;img src=x onerror=alert(3)&gt;: quantity 6.5 -&gt; 10" in quote_page

    # and the accepted PDF prints each name exactly as typed
    pdf = visitor.get(reverse("portal:accepted_pdf", args=[shared.token])).content
    assert acceptance.pk and pdf.startswith(b"%PDF")
    text = " ".join(
        " ".join((part.extract_text() or "").split()) for part in PdfReader(io.BytesIO(pdf)).pages
    )
    for name in (NAMES.warranty, NAMES.installation, NAMES.oak, NAMES.furniture):
        assert name in text, name
    assert f"{NAMES.walnut} ({NAMES.finish})" in text
