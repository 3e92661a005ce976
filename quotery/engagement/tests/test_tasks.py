"""The engagement log's periodic task: opens waiting outside the chain are chained."""

from __future__ import annotations

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.engagement.tasks import fold_pending_opens
from quotery.engagement.tests.conftest import BROWSER, SCANNER, shared
from quotery.portal.services.sharing import portal_open_record_pending
from quotery.scheduler.schedule import PERIODIC_TASKS
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db


def opened(share: PortalShare, *metas) -> PortalShare:
    share = PortalShare.objects.select_related("quote__company").get(pk=share.pk)
    for meta in metas:
        portal_open_record_pending(share=share, meta=meta)
    return share


def test_the_task_chains_the_waiting_opens_of_every_company(rep):
    first = opened(shared(rep), SCANNER, BROWSER)
    other_rep = member(CompanyFactory(name="Bluebird Print & Sign"), Role.REP)
    second = opened(shared(other_rep), SCANNER)

    assert fold_pending_opens.call() == 3

    assert not PendingOpen.objects.exists()
    for share, opens in ((first, 2), (second, 1)):
        chained = QuoteEvent.objects.filter(quote_id=share.quote_id, kind=EventKind.LINK_OPENED)
        assert chained.count() == opens
        assert verify_quote_chain(share.quote_id).ok


def test_the_task_with_nothing_waiting_chains_nothing(rep):
    opened(shared(rep))

    assert fold_pending_opens.call() == 0


def test_the_scheduler_folds_waiting_opens_every_five_minutes():
    entry = next(e for e in PERIODIC_TASKS if e.task is fold_pending_opens)

    assert entry.every_seconds == 300
