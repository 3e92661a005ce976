"""Update total without script, refused: the client page comes back with the message beside
the field refused, the stored choices unchanged and nothing recorded; whatever is posted,
never a server error."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quotery.engagement.models import QuoteEvent
from quotery.portal.tests.portal_fixtures import Shared, share_options_quote
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db


def post_choices(client, shared: Shared, data: dict | bytes, **extra):
    return client.post(reverse("portal:choices", args=[shared.token]), data, **extra)


def kept(shared: Shared) -> tuple[str, str, int]:
    share = PortalShare.objects.get(pk=shared.share.pk)
    events = QuoteEvent.objects.filter(quote_id=shared.quote.pk).count()
    return share.choices, share.choices_content_hash, events


def test_a_quantity_out_of_range_is_shown_beside_its_input_and_changes_nothing(client, rep):
    # given a client who already chose 8 hours of installation
    shared = share_options_quote(rep)
    assert post_choices(client, shared, {"quantity.0.2": "8"}).status_code == 303
    before = kept(shared)

    # when they ask for 11 hours (the most is 10) without script
    response = post_choices(client, shared, {"quantity.0.2": "11"})

    # then the page comes back with the message beside the hours' input
    assert response.status_code == 422
    html = response.content.decode()
    message = "The quantity of “Installation” must be between 4 and 10."
    assert f'<span class="field-error" id="quantity-error-0.2">{message}</span>' in html
    field = re.search(r'<input type="number"[^>]*id="quantity-0\.2"[^>]*>', html)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="quantity-range-0.2 quantity-error-0.2"' in field.group(0)
    # and the whole refusal by the button, the kept choice (8 hours) and its total
    assert 'role="alert" id="option-error">Your choices were not changed:' in html
    assert 'value="8"' in field.group(0)
    assert 'data-option-total="total">€2,880.08<' in html
    # and nothing was stored or recorded
    assert kept(shared) == before
    # and the page's links and form carry the real link and CSRF token, not placeholders
    assert f'action="/p/{shared.token}/choices/"' in html
    assert "quotery-token-mark" not in html and "quotery-csrf-mark" not in html


def test_two_lines_chosen_in_one_section_are_shown_by_that_section(client, rep):
    shared = share_options_quote(rep)
    before = kept(shared)

    response = post_choices(client, shared, {"choose.1": ["1.0", "1.1"]})

    assert response.status_code == 422
    html = response.content.decode()
    assert (
        '<p class="field-error" id="choose-error-1">Choose one line only in “Finish”.</p>' in html
    )
    assert html.count('aria-describedby="choose-error-1" aria-invalid="true"') == 2
    assert 'data-option-total="total">€2,775.76<' in html
    assert kept(shared) == before


def test_an_unknown_line_is_said_by_the_button(client, rep):
    shared = share_options_quote(rep)
    before = kept(shared)

    response = post_choices(client, shared, {"include": "7.3"})

    assert response.status_code == 422
    assert "This quote has no such line any more." in response.content.decode()
    assert kept(shared) == before


HOSTILE = [
    {"quantity.0.2": "NaN"},
    {"quantity.0.2": "sNaN"},
    {"quantity.0.2": "Infinity"},
    {"quantity.0.2": "-inf"},
    {"quantity.0.2": "1e999999999"},
    {"quantity.0.2": "4.00001"},
    {"quantity.0.2": "9" * 5000},
    {"quantity.0.2": "", "quantity.0.1": "5"},
    {"quantity.0.2": "6\x00"},
    {"quantity.": "5"},
    {"quantity.0.999999999999999999": "5"},
    {"quantity.-1.-1": "5"},
    {"choose.1": "1.9"},
    {"choose.1": "1.0.0"},
    {"choose.1": ""},
    {"choose.": "1.0"},
    {"choose.-1": "1.0"},
    {"choose.١": "1.0"},
    {"choose.99999999999999999999": "1.0"},
    {"choose.0": "0.0"},
    {"choose.1": "<script>alert(1)</script>"},
    {"include": ["0.1", "0.1", "0.0", "x", ""]},
    {"include": "0.1\u202e"},
    {"include": "../../0.1"},
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_malformed_choices_are_refused_clearly_never_with_a_server_error(client, rep, data):
    shared = share_options_quote(rep)
    before = kept(shared)

    response = post_choices(client, shared, data)

    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert" id="option-error">Your choices were not changed:' in html
    assert "<script>alert(1)</script>" not in html
    assert kept(shared) == before


def test_a_body_that_is_not_a_form_is_refused_with_nothing_changed(client, rep):
    shared = share_options_quote(rep)
    before = kept(shared)

    response = post_choices(
        client, shared, b"\xff\xfe{not a form", content_type="application/octet-stream"
    )

    # an empty form: every optional line unticked, as the defaults already have it
    assert response.status_code == 303
    assert kept(shared) == before
