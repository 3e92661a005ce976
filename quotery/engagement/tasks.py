"""Background work on the engagement log. Tasks take nothing, and are safe to retry and to run
in several workers at once."""

from __future__ import annotations

from django.tasks import task

from quotery.engagement.chain import pending_opens_fold_all
from quotery.engagement.events import event_quote_expired
from quotery.quotes.services.quotes import quote_expire_due


@task
def fold_pending_opens() -> int:
    """Chains the client page's opens that no beacon confirmed (mostly link scanners) and no
    read of the log chained yet; returns how many.

    Enqueued every five minutes by `manage.py run_scheduler`, so that an open waits outside
    the chain, uncovered by any hash, for minutes at most (`manage.py verify` names such opens).
    """
    return pending_opens_fold_all()


@task
def expire_due_quotes() -> int:
    """Marks open quotes whose valid-until day has ended as expired, each with its
    `quote_expired` event (and the `quote.expired` webhook) in the same transaction;
    returns how many.

    Enqueued every ten minutes by `manage.py run_scheduler`. The pages already show an
    overdue quote as expired, so a late run only delays the stored state, never what people see.
    """
    return quote_expire_due(on_expired=lambda quote: event_quote_expired(quote=quote))
