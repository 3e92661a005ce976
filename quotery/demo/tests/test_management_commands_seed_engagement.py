"""manage.py seed_engagement: the data it makes is realistic, chained and fills the page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.quotes.models import Quote

pytestmark = pytest.mark.django_db


def test_seed_makes_chained_events_that_verify_and_fill_the_page(company, manager, login):
    # when 3000 events are seeded into the company
    call_command(
        "seed_engagement", "--events", "3000", "--company", company.slug, stdout=StringIO()
    )

    # then there are exactly that many, of every kind the page reads
    events = QuoteEvent.objects.filter(company=company)
    assert events.count() == 3000
    kinds = set(events.values_list("kind", flat=True))
    assert {
        EventKind.QUOTE_SHARED,
        EventKind.LINK_OPENED,
        EventKind.QUOTE_VIEWED,
        EventKind.PDF_DOWNLOADED,
        EventKind.QUOTE_ACCEPTED,
    } <= kinds
    # spread over several reps
    owners = Quote.objects.filter(company=company).values("owner").distinct().count()
    assert owners >= 4
    assert company.memberships.filter(role=Role.REP).count() >= 4
    # every view confirms an open of its own quote
    view = events.filter(kind=EventKind.QUOTE_VIEWED).first()
    assert view is not None
    assert events.get(quote=view.quote_id, sequence=view.data["open"]).kind == EventKind.LINK_OPENED
    # every chain verifies
    out = StringIO()
    call_command("verify", "--company", company.slug, stdout=out)
    assert "BROKEN" not in out.getvalue()
    # and the manager's page shows figures
    html = login(manager).get(reverse("engagement:dashboard")).content.decode()
    assert "No shared quotes in this range." not in html


def test_seed_refuses_an_unknown_company(db):
    with pytest.raises(CommandError, match="No company with the slug"):
        call_command("seed_engagement", "--events", "10", "--company", "nope", stdout=StringIO())
    assert QuoteEvent.objects.count() == 0
