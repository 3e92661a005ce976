"""No text a client reads escapes translation.

Two nets: every client-facing template is read, and any words left outside {% translate %}
and {% blocktranslate %} (text between tags, and the attributes a person reads or hears)
fail the test; and the client's page, answer pages, emails and PDFs are rendered for a
German client and must not hold a sentence of their English rendering. A new English
sentence in a client template, or in Python that builds a client text without gettext,
fails one or the other."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from quotery.accounts.models import User
from quotery.billing.models import Payment, PaymentInstructions, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import render_outbox_email
from quotery.portal.services.answers import rep_message_post
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote

BASE = Path(__file__).resolve().parents[2]
CLIENT_TEMPLATES = sorted(
    [
        *(BASE / "quotery/portal/templates/portal/client").glob("*.html"),
        *(BASE / "quotery/portal/templates/portal/email").glob("*"),
        BASE / "quotery/portal/templates/portal/not_found.html",
        BASE / "quotery/portal/templates/portal/rate_limited.html",
        BASE / "quotery/accounts/templates/accounts/_portal_header.html",
    ]
)
# Attributes a person reads or hears (the rest name things for code and styles).
READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "data-label", "data-save-failed")

TRANSLATED = re.compile(
    r"{%\s*blocktranslate\b.*?%}.*?{%\s*endblocktranslate\s*%}|{%\s*translate\b.*?%}",
    re.DOTALL,
)
# Shown to the company's own staff only (the preview banner), in the rep app's English.
STAFF_ONLY = re.compile(r'{%\s*language\s+"en"\s*%}.*?{%\s*endlanguage\s*%}', re.DOTALL)
COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)
TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
HTML_TAG = re.compile(r"<[^>]*>", re.DOTALL)
WORD = re.compile(r"[^\W\d_]{2,}")
# Not words to translate: the document type, and names that are the same in every language.
SAME_IN_EVERY_LANGUAGE = {"doctype", "html"}


def untranslated_words(source: str) -> list[str]:
    """The words of a template a client would see that are not inside a translate tag."""
    text = COMMENT.sub(" ", source)
    text = STAFF_ONLY.sub(" ", text)
    text = TRANSLATED.sub(" ", text)
    text = SCRIPT_OR_STYLE.sub(" ", text)
    attributes = []
    for tag in re.findall(r"<[^>]*>", TAG_OR_VARIABLE.sub(" ", text), re.DOTALL):
        for name in READ_ATTRIBUTES:
            attributes += re.findall(rf'\s{name}="([^"]*)"', tag)
    text = TAG_OR_VARIABLE.sub(" ", text)
    text = HTML_TAG.sub(" ", text)
    found = WORD.findall(" ".join([text, *attributes]))
    return [word for word in found if word.lower() not in SAME_IN_EVERY_LANGUAGE]


def test_the_client_templates_are_found():
    names = {path.name for path in CLIENT_TEMPLATES}
    assert {"page.html", "accept.html", "changes.html", "portal_email.txt"} <= names
    assert len(CLIENT_TEMPLATES) >= 25


@pytest.mark.parametrize("template", CLIENT_TEMPLATES, ids=lambda path: path.name)
def test_every_word_of_a_client_template_is_translated(template: Path):
    assert untranslated_words(template.read_text()) == [], (
        f"{template.relative_to(BASE)} shows words outside {{% translate %}}: wrap them, "
        "then add the German to locale/de/LC_MESSAGES/django.po and compile it."
    )


def test_the_check_finds_an_untranslated_sentence():
    assert untranslated_words('<p>{% translate "Hello" %} Welcome back</p>') == [
        "Welcome",
        "back",
    ]
    assert untranslated_words('<nav aria-label="Answer this quote"></nav>') == [
        "Answer",
        "this",
        "quote",
    ]
    assert (
        untranslated_words("<p>{% blocktranslate with a=b %}Hi {{ a }}{% endblocktranslate %}</p>")
        == []
    )
    assert untranslated_words("<p>{{ q.total }} · {# a note #}</p>") == []


# ---------------------------------------------------------------------------------------
# The rendered texts: nothing of the English rendering is left in the German one.

MIN_WORDS = 2
# A whole word of letters (not the letters inside a hash or a link's token).
WHOLE_WORD = re.compile(r"(?<!\w)[^\W\d_]{2,}(?!\w)")


class _Texts(HTMLParser):
    """The text chunks of an HTML page a person reads: between tags (not in scripts or
    styles) and in the attributes a person reads or hears."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        self.chunks += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def _chunks(text: str, *, html: bool) -> list[str]:
    if html:
        parser = _Texts()
        parser.feed(text)
        pieces = parser.chunks
    else:
        pieces = text.splitlines()
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]


def _sentences(chunks: list[str], data: set[str]) -> set[str]:
    """Our words: chunks of at least MIN_WORDS words, leaving out what people typed and
    names (the quote's data), which are the same in every language."""
    found = set()
    for chunk in chunks:
        if any(chunk in value or value in chunk for value in data if len(value) > 3):
            continue
        if "://" in chunk or "@" in chunk:  # links and addresses
            continue
        if len(WHOLE_WORD.findall(chunk)) >= MIN_WORDS:
            found.add(chunk)
    return found


def _client_texts(
    rep: User, finance: User, language: str, email: str
) -> tuple[list[list[str]], set[str]]:
    """Everything a client of `language` reads about one quote, from sharing to payment,
    as chunks per page, email or PDF; and the quote's data."""
    company = rep.membership.company
    company.finance_gate = True
    company.save(update_fields=["finance_gate"])
    PaymentInstructions.objects.update_or_create(
        company=company,
        defaults={"account_holder": "Muster", "iban": "DE89370400440532013000", "bic": ""},
    )
    shared = share_quote(rep, deposit_percent="30", email=email)
    quote = shared.quote
    client = quote.client
    client.language = language
    client.save(update_fields=["language"])
    browser = HttpClient()
    pages = []
    token = shared.token
    for name in ("portal:page", "portal:accept", "portal:changes", "portal:decline"):
        response = browser.get(reverse(name, args=[token]))
        assert response.status_code == 200, name
        pages.append(_chunks(response.content.decode(), html=True))
    pdf = browser.get(reverse("portal:pdf", args=[token])).content
    pages.append(_chunks(_pdf_text(pdf), html=False))
    rep_message_post(quote=quote, user=rep, body="Ok")
    accept_shared(shared, email=email)
    payment = Payment.objects.get(quote=quote)
    payment_status_set(payment=payment, status=PaymentStatus.UNDER_REVIEW, user=finance)
    for path in (
        reverse("portal:page", args=[token]) + "?done=accepted",
        reverse("portal:accept", args=[token]),
    ):
        pages.append(_chunks(browser.get(path).content.decode(), html=True))
    accepted = browser.get(reverse("portal:accepted_pdf", args=[token])).content
    pages.append(_chunks(_pdf_text(accepted), html=False))
    for outbox in OutboxEmail.objects.filter(to_email=shared.share.recipient_email):
        message = render_outbox_email(outbox)
        pages.append([str(message.subject), *_chunks(str(message.body), html=False)])
        html = next(content for content, kind in message.alternatives if kind == "text/html")
        pages.append(_chunks(str(html), html=True))
    quote.refresh_from_db()
    data = {
        quote.title,
        quote.notes,
        quote.number,
        client.name,
        company.name,
        rep.full_name,
        shared.share.recipient_name,
        "Here is the quote we discussed.",
        *quote.sections.values_list("title", flat=True),
    }
    return pages, data


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.django_db
def test_a_german_client_reads_no_english_sentence(rep, finance, settings, tmp_path):
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")
    # given everything an English client reads, from the share email to the payment email
    english, english_data = _client_texts(rep, finance, "en", "anna@client.test")
    # and everything a German client reads about another quote
    german, german_data = _client_texts(rep, finance, "de", "berta@kunde.test")
    data = english_data | german_data
    ours = set().union(*(_sentences(chunks, data) for chunks in english))
    assert len(ours) > 80  # the check saw the pages, emails and PDFs
    assert {"Download PDF", "Request changes", "View your quote"} <= ours
    assert any("Acceptance certificate" in sentence for sentence in ours)  # the PDF's

    # then none of the English sentences is left in what the German client reads
    german_text = "\n".join(chunk for chunks in german for chunk in chunks)
    left = sorted(sentence for sentence in ours if sentence in german_text)
    assert left == [], "\n".join(left)
    assert "Angebot" in german_text and "Annahmebestätigung" in german_text
