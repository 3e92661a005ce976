"""The client page of a quote with options: the controls, the figures as the client's
choices price them, choices kept per link, each change an `option_changed` event."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.tests.portal_fixtures import Shared, share_options_quote, share_quote
from quotery.quotes.inputs import LineInput, SectionInput
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

WARRANTY_OAK_8H = {
    "include": "0.1",
    "choose.1": "1.0",
    "quantity.0.2": "8",
}


def choices_url(shared: Shared) -> str:
    return reverse("portal:choices", args=[shared.token])


def option_events(shared: Shared) -> list[dict]:
    return [
        event.data
        for event in QuoteEvent.objects.filter(
            quote_id=shared.quote.pk, kind=EventKind.OPTION_CHANGED
        ).order_by("sequence")
    ]


def saved(shared: Shared) -> tuple[str, str]:
    share = PortalShare.objects.get(pk=shared.share.pk)
    return share.choices, share.choices_content_hash


def test_the_page_offers_each_option_named_by_its_line_with_the_defaults(client, rep):
    shared = share_options_quote(rep)

    html = client.get(shared.url).content.decode()

    # the warranty's checkbox is named by its description, and starts unticked
    box = re.search(r'<input type="checkbox"[^>]*value="0\.1"[^>]*>', html)
    assert box and 'aria-labelledby="line-name-0.1"' in box.group(0)
    assert "checked" not in box.group(0)
    assert '<span id="line-name-0.1">Extended warranty</span>' in html
    # the finish is a radio group, walnut chosen
    radios = re.findall(r'<input type="radio" [^>]*name="choose\.1"[^>]*>', html)
    assert len(radios) == 2 and "checked" in radios[1] and "checked" not in radios[0]
    # the hours are a number input labelled for their line, from 4 to 10
    label = '<label class="visually-hidden" for="quantity-0.2">Quantity for Installation</label>'
    assert label in html
    assert 'min="4" max="10"' in html and 'value="6.5"' in html
    # the totals are those of the defaults, with an Update total button and the script
    assert 'data-testid="quote-total" data-option-total="total">€2,775.76<' in html
    assert ">Update total</button>" in html
    assert "js/quote-options" in html and 'id="quote-options-data"' in html
    assert f'action="/p/{shared.token}/choices/"' in html


def test_update_total_without_script_saves_the_choices_records_each_change_and_reprices(
    client, rep
):
    shared = share_options_quote(rep)
    client.get(shared.url)

    response = client.post(choices_url(shared), WARRANTY_OAK_8H)

    assert response.status_code == 303
    assert response["Location"].startswith(shared.url)
    # the choices are kept for this link, on this revision
    choices, content_hash = saved(shared)
    assert json.loads(choices) == {
        "chosen": {"1": "1.0"},
        "included": {"0.1": True},
        "quantities": {"0.2": "8"},
    }
    assert content_hash == shared.quote.revisions.get().content_hash
    # each change is one event, exactly as specified
    assert option_events(shared) == [
        {"change": "added", "line": "Extended warranty", "section": "Furniture"},
        {
            "change": "quantity",
            "line": "Installation",
            "section": "Furniture",
            "from": "6.5",
            "to": "8",
        },
        {"change": "chose", "line": "Oak", "section": "Finish", "replaced": "Walnut"},
    ]
    # and the client coming back sees what they chose, priced by the server
    html = client.get(shared.url).content.decode()
    assert 'data-testid="quote-total" data-option-total="total">€2,939.96<' in html
    assert re.search(r'<input type="checkbox"[^>]*value="0\.1"[^>]*checked', html)
    assert 'value="8"' in html


def test_the_script_s_post_answers_204_and_the_same_choices_twice_record_once(client, rep):
    shared = share_options_quote(rep)

    first = client.post(choices_url(shared), WARRANTY_OAK_8H, headers={"X-Quotery-Choices": "1"})
    again = client.post(choices_url(shared), WARRANTY_OAK_8H, headers={"X-Quotery-Choices": "1"})
    removed = client.post(
        choices_url(shared),
        {"choose.1": "1.0", "quantity.0.2": "8"},
        headers={"X-Quotery-Choices": "1"},
    )

    assert (first.status_code, again.status_code, removed.status_code) == (204, 204, 204)
    assert [event["change"] for event in option_events(shared)] == [
        "added",
        "quantity",
        "chose",
        "removed",
    ]


def test_the_script_s_url_encoded_post_saves_as_the_multipart_one_does(rep):
    # quote-options.js posts the form URL-encoded (cheaper to read than multipart data),
    # with the CSRF token in the body as the form has it
    shared = share_options_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    page = browser.get(shared.url).content.decode()
    token = re.search(
        r'id="quote-options".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S
    )
    assert token is not None
    body = urlencode({**WARRANTY_OAK_8H, "csrfmiddlewaretoken": token.group(1)})

    answer = browser.post(
        choices_url(shared),
        body,
        content_type="application/x-www-form-urlencoded;charset=UTF-8",
        headers={"X-Quotery-Choices": "1"},
    )

    assert answer.status_code == 204
    assert [event["change"] for event in option_events(shared)] == ["added", "quantity", "chose"]


BAD_CHOICES = {
    "quantity_too_high": ({"quantity.0.2": "11"}, "must be between 4 and 10"),
    "quantity_not_a_number": ({"quantity.0.2": "eight"}, "Enter a number"),
    "two_choices": ({"choose.1": ["1.0", "1.1"]}, "Choose one line only in “Finish”"),
    "unknown_line": ({"include": "9.9"}, "no such line"),
    "a_fixed_line": ({"quantity.0.0": "2"}, "is fixed"),
    "another_section_s_line": ({"choose.1": "0.0"}, "Choose one of the lines"),
}


@pytest.mark.parametrize("case", BAD_CHOICES)
def test_choices_the_quote_does_not_offer_are_refused_clearly_and_change_nothing(client, rep, case):
    data, message = BAD_CHOICES[case]
    shared = share_options_quote(rep)
    events_before = QuoteEvent.objects.filter(quote_id=shared.quote.pk).count()

    page = client.post(choices_url(shared), data)
    script = client.post(choices_url(shared), data, headers={"X-Quotery-Choices": "1"})

    # without script, the client page again (422, like the client's other forms)
    assert page.status_code == 422 and message in page.content.decode()
    assert ">Update total</button>" in page.content.decode()
    assert script.status_code == 400 and message in script.content.decode()
    assert saved(shared) == ("", "")
    assert QuoteEvent.objects.filter(quote_id=shared.quote.pk).count() == events_before


def test_staff_trying_the_link_change_nothing_and_record_nothing(client, rep, company):
    shared = share_options_quote(rep)
    client.force_login(member(company, Role.MANAGER))

    response = client.post(choices_url(shared), WARRANTY_OAK_8H)

    assert response.status_code == 303
    assert saved(shared) == ("", "") and option_events(shared) == []


def test_get_and_head_of_the_choices_address_change_nothing(client, rep):
    shared = share_options_quote(rep)
    assert client.get(choices_url(shared), WARRANTY_OAK_8H).status_code == 405
    assert client.head(choices_url(shared)).status_code == 405
    assert saved(shared) == ("", "") and option_events(shared) == []


def test_a_quote_no_longer_open_takes_no_choices(client, rep):
    from quotery.quotes.services.quotes import quote_cancel

    shared = share_options_quote(rep)
    quote_cancel(quote=shared.quote, user=rep)

    response = client.post(choices_url(shared), WARRANTY_OAK_8H)

    assert response.status_code == 409 and "withdrawn" in response.content.decode()
    assert saved(shared) == ("", "") and option_events(shared) == []
    # and the page shows the options without controls to change them
    html = client.get(shared.url).content.decode()
    assert ">Update total</button>" not in html and "disabled" in html


def test_the_rep_s_preview_shows_the_defaults_whatever_the_client_chose(client, rep):
    shared = share_options_quote(rep)
    client.post(choices_url(shared), WARRANTY_OAK_8H)
    client.force_login(rep)

    html = client.get(reverse("portal:preview", args=[shared.quote.pk])).content.decode()

    assert 'data-testid="quote-total" data-option-total="total">€2,775.76<' in html
    assert ">Update total</button>" not in html


def test_a_quote_without_options_shows_no_option_controls(client, rep):
    shared = share_quote(rep)

    html = client.get(shared.url).content.decode()

    assert "data-option" not in html and "quote-options" not in html
    assert 'type="checkbox"' not in html and "Update total" not in html
    assert client.post(choices_url(shared), {}).status_code == 409


def test_request_changes_carries_the_choices_to_the_rep(client, rep):
    from quotery.portal.services.answers import quote_request_changes
    from quotery.portal.tests.portal_fixtures import CLIENT_META

    shared = share_options_quote(rep)
    client.post(choices_url(shared), WARRANTY_OAK_8H)

    note = quote_request_changes(
        share=shared.share, message="Could the oak be <b>darker</b>?", request_meta=CLIENT_META
    )

    assert note.choices_summary == (
        "Their choices: Extended warranty added; Installation × 8; Oak chosen in Finish. "
        "Total with these choices: €2,939.96."
    )
    client.force_login(rep)
    page = client.get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    assert "Total with these choices: €2,939.96." in page
    assert "<b>darker</b>" not in page


def test_request_changes_on_a_quote_without_options_carries_nothing(client, rep):
    from quotery.portal.services.answers import quote_request_changes
    from quotery.portal.tests.portal_fixtures import CLIENT_META

    shared = share_quote(rep)
    note = quote_request_changes(share=shared.share, message="Cheaper?", request_meta=CLIENT_META)
    assert note.choices_summary == ""


def test_the_page_of_a_quote_with_options_runs_as_few_queries_as_any(rep):
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    plain = share_quote(rep, sections=2, lines_per_section=3, email="plain@client.test")
    shaped = share_options_quote(rep)
    HttpClient().post(choices_url(shaped), WARRANTY_OAK_8H)  # with choices kept, too
    counts = []
    for shared in (plain, shaped):
        HttpClient().get(shared.url)  # each revision read once, as a running process has
        with CaptureQueriesContext(connection) as queries:
            assert HttpClient().get(shared.url).status_code == 200
        counts.append(len([q for q in queries if "SAVEPOINT" not in q["sql"]]))
    # the share (with quote and company, and the choices), the thread, the open
    assert counts == [3, 3], counts


def many_options() -> list[SectionInput]:
    """Three sections of eight optional lines and an adjustable quantity, and three
    choose-one sections of four lines: sections 2 to 7 after the options quote's own."""
    d = Decimal
    extras = [
        SectionInput(
            title=f"Extras {s}",
            lines=[
                *(
                    LineInput(
                        f"Extra {s}.{n}",
                        d("1"),
                        d(10 + n),
                        tax_rate=d("20"),
                        optional=True,
                        included_by_default=n % 2 == 0,
                    )
                    for n in range(8)
                ),
                LineInput(f"Hours {s}", d("5"), d("50"), min_quantity=d("1"), max_quantity=d("20")),
            ],
        )
        for s in range(3)
    ]
    finishes = [
        SectionInput(
            title=f"Finish {s}",
            choose_one=True,
            lines=[
                LineInput(f"Finish {s}.{n}", d("1"), d(100 + n), included_by_default=n == 0)
                for n in range(4)
            ],
        )
        for s in range(3)
    ]
    return [*extras, *finishes]


# The large quote's choices: some extras in, other finishes, other hours.
MANY_CHOSEN = {
    **WARRANTY_OAK_8H,
    "include": ["0.1", "2.1", "2.2", "3.5", "4.7"],
    "choose.5": "5.2",
    "choose.6": "6.3",
    "choose.7": "7.0",
    "quantity.2.8": "12",
    "quantity.4.8": "3",
}


def page_queries(shared: Shared) -> int:
    HttpClient().get(shared.url)  # each revision read once, as a running process has
    with CaptureQueriesContext(connection) as queries:
        assert HttpClient().get(shared.url).status_code == 200
    return len([q for q in queries if "SAVEPOINT" not in q["sql"]])


def test_the_client_page_runs_the_same_queries_however_many_lines_and_options(rep):
    # given a quote with 4 option controls and one with 43, each with choices kept
    few = share_options_quote(rep, email="few@client.test")
    many = share_options_quote(rep, email="many@client.test", more=many_options())
    assert HttpClient().post(choices_url(few), WARRANTY_OAK_8H).status_code == 303
    assert HttpClient().post(choices_url(many), MANY_CHOSEN).status_code == 303
    assert json.loads(saved(many)[0]) != json.loads(saved(few)[0])

    # when each page is read, then it runs the same three queries
    counts = [page_queries(few), page_queries(many)]

    # the share (with quote and company, and the choices), the thread, the open
    assert counts == [3, 3], counts
    html = HttpClient().get(many.url).content.decode()
    assert html.count('type="checkbox"') == 25 and html.count('type="radio"') == 14


def test_a_choice_change_runs_the_same_queries_however_many_lines_and_options(rep):
    # given both quotes, their pages read once
    few = share_options_quote(rep, email="few@client.test")
    many = share_options_quote(rep, email="many@client.test", more=many_options())
    extras_in = [f"{s}.{n}" for s in (2, 3, 4) for n in (0, 2, 4, 6)]  # their defaults
    warm = share_options_quote(rep, email="warm@client.test")  # what a running process holds
    HttpClient().post(choices_url(warm), WARRANTY_OAK_8H)
    counts = []
    for shared, included in ((few, []), (many, extras_in)):
        browser = HttpClient()
        browser.get(shared.url)
        # when the client ticks the warranty (one change)
        form = {"include": ["0.1", *included], "choose.1": "1.1"}
        with CaptureQueriesContext(connection) as queries:
            answer = browser.post(choices_url(shared), form)
        assert answer.status_code == 303
        counts.append(len([q for q in queries if "SAVEPOINT" not in q["sql"]]))
        # then one change is recorded
        assert [e["change"] for e in option_events(shared)] == ["added"]
    assert counts[0] == counts[1], counts
