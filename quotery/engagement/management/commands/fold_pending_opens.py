"""manage.py fold_pending_opens

Chains every open of the client page still waiting outside the chain (opens no beacon
confirmed and no read of the log chained yet: mostly link scanners), one quote per
transaction under its row lock, and prints how many. Safe to run at any time, from any
number of processes: each open is chained exactly once. Run it periodically (every few
minutes) so that `manage.py verify` finds few opens not yet covered by a hash.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quotery.engagement.chain import pending_opens_fold_for_company
from quotery.engagement.models import PendingOpen


class Command(BaseCommand):
    help = "Chain the client page's opens that wait outside the chain."

    def handle(self, *args: Any, **options: Any) -> None:
        companies = PendingOpen.objects.values_list("company_id", flat=True).distinct()
        chained = sum(pending_opens_fold_for_company(company) for company in list(companies))
        self.stdout.write(f"{chained} opens chained.")
