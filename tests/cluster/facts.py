"""What the cluster's database holds after the run, read with the app's models.

python -m tests.cluster.facts QUOTE_ID     (with the deployment's environment; prints JSON)
"""

from __future__ import annotations

import json
import sys

import django


def main(quote_id: int) -> None:
    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from quotery.engagement.models import EventKind, QuoteEvent
    from quotery.notifications.models import Notification, OutboxEmail
    from quotery.quotes.models import DeliveryNote, Quote
    from quotery.scheduler.leadership import SCHEDULER_LOCK_KEY
    from quotery.sharing.models import Acceptance

    events = QuoteEvent.objects.filter(quote_id=quote_id)
    tasks = DBTaskResult.objects.values("task_path").annotate(count=Count("id"))
    with connection.cursor() as cursor:
        # Schedulers holding the lead: the session-level advisory lock on its key in this
        # database (a bigint key shows as classid = its high 32 bits, objid = its low 32 bits;
        # other databases on the server may hold the same key).
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s AND objid = %s AND objsubid = 1",
            [SCHEDULER_LOCK_KEY >> 32, SCHEDULER_LOCK_KEY & 0xFFFFFFFF],
        )
        (scheduler_locks,) = cursor.fetchone()
    print(
        json.dumps(
            {
                "state": Quote.objects.get(pk=quote_id).state,
                "acceptances": list(
                    Acceptance.objects.values("signer_email", "ip", "pdf_name", "pdf_sha256")
                ),
                "views": events.filter(kind=EventKind.QUOTE_VIEWED).count(),
                "opens": events.filter(kind=EventKind.LINK_OPENED).count(),
                "pdf_downloads": events.filter(kind=EventKind.PDF_DOWNLOADED).count(),
                "accepted_events": events.filter(kind=EventKind.QUOTE_ACCEPTED).count(),
                "delivery_notes": DeliveryNote.objects.filter(quote_id=quote_id).count(),
                "notifications": Notification.objects.count(),
                "tasks": {row["task_path"]: row["count"] for row in tasks},
                "scheduler_locks": scheduler_locks,
                "outbox": sorted(
                    [row["kind"], row["to_email"], row["status"]]
                    for row in OutboxEmail.objects.values("kind", "to_email", "status")
                ),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
