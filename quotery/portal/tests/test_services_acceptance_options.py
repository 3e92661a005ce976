"""Accepting a quote with options: the acceptance binds the client's choices (canonical
JSON and hash, in the signature hash and the chained event), the total is theirs, the
delivery note and reservations hold the chosen lines only, verify checks it all, and a
choice changed in another tab is refused with the new total and nothing recorded."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from quotery.core.exceptions import ChoicesChanged
from quotery.core.money import format_money, money_str
from quotery.documents.acceptance import accepted_pdf
from quotery.documents.acceptance_record import embedded_record
from quotery.documents.rendering import quote_document_data
from quotery.documents.services import branding_for_company
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.verification.quotes import quote_checks
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.choices import portal_choices_save
from quotery.portal.templatetags.portal_answer import accepted_choices
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    Shared,
    footprint,
    latest_revision_hash,
    share_options_quote,
)
from quotery.quotes.models import DeliveryNoteLine
from quotery.quotes.options import (
    configuration_from_data,
    configured_content,
    default_configuration,
)
from quotery.sharing.models import Acceptance

pytestmark = pytest.mark.django_db

DEFAULTS_HASH_DATA: dict = {}
WARRANTY_OAK_8H = {"included": {"0.1": True}, "chosen": {"1": "1.0"}, "quantities": {"0.2": "8"}}


def content_of(shared: Shared) -> dict:
    return json.loads(shared.quote.revisions.get().content)


def choose(shared: Shared, data: dict) -> str:
    """The client's choices saved for the link; the hash a page showing them carries."""
    return portal_choices_save(
        share=shared.share, data=data, meta=CLIENT_META, by_client=True
    ).hash()


def accept(shared: Shared, configuration_hash: str) -> Acceptance:
    return quote_accept(
        share=shared.share,
        signer_name="Anna Client",
        signer_email="anna@client.test",
        consent=True,
        revision_hash=latest_revision_hash(shared.quote),
        request_meta=CLIENT_META,
        configuration_hash=configuration_hash,
    )


def test_accepting_binds_the_choices_and_their_total(rep):
    shared = share_options_quote(rep)
    seen = choose(shared, WARRANTY_OAK_8H)

    acceptance = accept(shared, seen)

    # the record holds the choices' canonical JSON, its hash, and their total
    assert acceptance.configuration == (
        '{"chosen":{"1":"1.0"},"included":{"0.1":true},"quantities":{"0.2":"8"}}'
    )
    assert acceptance.configuration_hash == seen
    assert acceptance.total == "2939.96"
    assert "€2,939.96" in acceptance.consent_text
    # both are signed, and the chained event carries the hash
    record = acceptance.signed_record()
    assert record["configuration_hash"] == seen and record["total"] == "2939.96"
    event = QuoteEvent.objects.get(quote_id=shared.quote.pk, kind=EventKind.QUOTE_ACCEPTED)
    assert event.data["configuration_hash"] == seen
    # the delivery note holds the chosen lines, in the chosen quantities
    lines = DeliveryNoteLine.objects.filter(note__quote=shared.quote).order_by("position")
    assert [(line.description, line.quantity) for line in lines] == [
        ("Standing desk", Decimal("4")),
        ("Extended warranty", Decimal("1")),
        ("Installation", Decimal("8")),
        ("Oak", Decimal("1")),
    ]
    # verify passes
    assert all(check.ok for check in quote_checks(shared.quote)), quote_checks(shared.quote)
    # the rep's page shows what was taken, its total and the option not taken
    shown = accepted_choices(acceptance)
    assert shown is not None and shown["total"] == "€2,939.96"
    assert shown["not_taken"] == [{"description": "Walnut", "section": "Finish"}]


def test_verify_fails_once_the_stored_choices_are_edited(rep):
    shared = share_options_quote(rep)
    acceptance = accept(shared, choose(shared, WARRANTY_OAK_8H))

    Acceptance.objects.filter(pk=acceptance.pk).update(
        configuration='{"chosen":{"1":"1.1"},"included":{"0.1":true},"quantities":{"0.2":"8"}}'
    )

    failed = [check for check in quote_checks(shared.quote) if not check.ok]
    assert failed and "choices" in " ".join(check.detail for check in failed)


def test_a_choice_changed_in_another_tab_is_refused_with_the_new_total(rep):
    shared = share_options_quote(rep)
    shown = default_configuration(content_of(shared)).hash()  # the Accept form opened
    choose(shared, WARRANTY_OAK_8H)  # then, in another tab
    before = footprint(shared.quote)

    with pytest.raises(ChoicesChanged) as refused:
        accept(shared, shown)

    assert "The total is now €2,939.96" in refused.value.message
    assert footprint(shared.quote) == before


def test_the_accept_page_shows_the_new_total_and_asks_again(client, rep):
    shared = share_options_quote(rep)
    url = reverse("portal:accept", args=[shared.token])
    form = client.get(url).content.decode()
    shown = default_configuration(content_of(shared)).hash()
    assert f'value="{shown}"' in form and "€2,775.76" in form
    new = choose(shared, WARRANTY_OAK_8H)

    response = client.post(
        url,
        {
            "signer_name": "Anna Client",
            "signer_email": "anna@client.test",
            "consent": "on",
            "revision_hash": latest_revision_hash(shared.quote),
            "configuration_hash": shown,
        },
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "The total is now €2,939.96" in page and f'value="{new}"' in page
    assert 'value="Anna Client"' in page
    assert not Acceptance.objects.filter(quote=shared.quote).exists()


def test_the_accepted_pdf_data_shows_the_chosen_set_and_lists_the_options_not_taken(rep):
    shared = share_options_quote(rep)
    acceptance = accept(shared, choose(shared, WARRANTY_OAK_8H))
    content = configured_content(
        content_of(shared),
        configuration_from_data(content_of(shared), json.loads(acceptance.configuration)),
    )

    data = quote_document_data(content, branding_for_company(shared.quote.company))

    described = [line["description"] for s in data["sections"] for line in s["lines"]]
    assert "Walnut" not in json.dumps(described) and "Oak" in json.dumps(described)
    assert data["options_not_taken"] == ["Walnut (Finish)"]
    assert "2,939.96" in json.dumps(data["totals"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    warranty=st.booleans(),
    finish=st.sampled_from(["1.0", "1.1"]),
    hours=st.decimals(min_value=4, max_value=10, places=3, allow_nan=False),
)
def test_any_choice_gives_one_total_on_the_server_the_pdf_and_the_acceptance(
    rep, warranty, finish, hours
):
    from django.db import transaction

    class Rollback(Exception):
        pass

    data = {
        "included": {"0.1": warranty},
        "chosen": {"1": finish},
        "quantities": {"0.2": f"{hours.normalize():f}"},
    }
    try:
        with transaction.atomic():
            shared = share_options_quote(rep)
            content = content_of(shared)
            configuration = configuration_from_data(content, data)
            server = configured_content(content, configuration)["totals"]["total"]
            acceptance = accept(shared, choose(shared, data) if data else "")
            pdf = quote_document_data(
                configured_content(content, configuration),
                branding_for_company(shared.quote.company),
            )
            assert acceptance.total == server
            assert money_str(Decimal(server), "EUR") in json.dumps(pdf["totals"]).replace(",", "")

            sealed = accepted_pdf(acceptance=acceptance)

            # the acceptance, its signed record and the record sealed into the PDF agree
            assert acceptance.signed_record()["total"] == server
            record = embedded_record(sealed)
            assert record is not None and record["total"] == server
            assert record["configuration"] == acceptance.configuration
            # the sealed PDF prints that total and the chosen hours, and lists the options
            # not taken
            text = " ".join(
                " ".join((page.extract_text() or "").split())
                for page in PdfReader(io.BytesIO(sealed)).pages
            )
            shown = format_money(Decimal(server), "EUR")
            assert f"Total {shown} Options not taken" in text and f"for {shown}" in text
            assert f"Installation {data['quantities']['0.2']} €65.00" in text
            not_taken = [] if warranty else ["Extended warranty (Furniture)"]
            not_taken.append("Walnut (Finish)" if finish == "1.0" else "Oak (Finish)")
            assert "Options not taken " + " ".join(f"• {item}" for item in not_taken) in text
            # and verify, the sealed PDF included, passes
            assert all(check.ok for check in quote_checks(shared.quote)), quote_checks(shared.quote)
            raise Rollback
    except Rollback:
        pass
