"""SECURITY.md 29: the suite passes on any date. The fixtures every portal test starts from
(a factory quote, shared, then answered) work on whatever day the clock says, so a test
only depends on the date when it pins the clock itself.

Exercises: quotery.quotes.services.quotes.quote_create,
quotery.portal.services.sharing.share_send, quotery.portal.services.acceptance.quote_accept,
quotery.portal.services.answers.quote_decline
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.core.request_meta import RequestMeta
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.answers import quote_decline
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.quotes.models import Quote, QuoteRevision, QuoteState
from quotery.sharing.models import Acceptance, Decline, DeclineReason

pytestmark = pytest.mark.django_db

UTC = dt.UTC
META = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (test)")
YEAR = dt.timedelta(days=365)


def moments() -> dict[str, dt.datetime]:
    now = timezone.now()
    return {
        "a year ahead": now + YEAR,
        "a year back": now - YEAR,
        "leap day": dt.datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
        # Already 1 January in Berlin, where the factory companies are.
        "new year's eve, late": dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        # The hour Berlin's clocks skip in spring.
        "spring clock change": dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    }


MOMENTS = moments()


@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_security_29_a_factory_quote_can_be_shared_and_accepted_on_any_date(moment):
    with time_machine.travel(moment, tick=True):
        # given a company and a quote made by the factories on that day
        rep = member(CompanyFactory(), Role.REP)
        shared = share_quote(rep)
        revision = QuoteRevision.objects.get(quote=shared.quote, number=1)
        # when the client accepts it that same day
        acceptance = quote_accept(
            share=shared.share,
            signer_name="Anna Client",
            signer_email="anna@client.test",
            consent=True,
            revision_hash=revision.content_hash,
            request_meta=META,
        )
        # then the acceptance is recorded and the quote is closed
        assert Acceptance.objects.get(quote=shared.quote) == acceptance
        assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CLOSED
        # and the quote was issued on the company's own date
        local_today = timezone.localdate(timezone=rep.membership.company.zone)
        assert shared.quote.issue_date == local_today


@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_security_29_a_factory_quote_can_be_declined_on_any_date(moment):
    with time_machine.travel(moment, tick=True):
        rep = member(CompanyFactory(), Role.REP)
        shared = share_quote(rep)
        quote_decline(share=shared.share, reason=DeclineReason.PRICE, detail="", request_meta=META)
        assert Decline.objects.filter(quote=shared.quote).count() == 1
        assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.DECLINED
