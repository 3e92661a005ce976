"""manage.py fold_pending_opens

Chains every open of the client page still waiting outside the chain (opens no beacon
confirmed and no read of the log chained yet: mostly link scanners), one quote per
transaction under its row lock, and prints how many. Safe to run at any time, from any
number of processes: each open is chained exactly once. `manage.py run_scheduler` enqueues
the same work every five minutes (`quotery.engagement.tasks.fold_pending_opens`); run this
by hand to chain them at once, e.g. before `manage.py verify`, which names opens not yet
covered by a hash.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quotery.engagement.chain import pending_opens_fold_all


class Command(BaseCommand):
    help = "Chain the client page's opens that wait outside the chain."

    def handle(self, *args: Any, **options: Any) -> None:
        chained = pending_opens_fold_all()
        self.stdout.write(f"{chained} opens chained.")
