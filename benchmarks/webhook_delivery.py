"""One worker delivers 1,000 webhook events to a local receiver (target: under 20 s).

Run from the project root:

    .venv/bin/python benchmarks/webhook_delivery.py [--events 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/quotery_bench \
        .venv/bin/python benchmarks/webhook_delivery.py

It builds a throwaway database (a SQLite file in a temporary directory, or `test_<name>` on
the server DATABASE_URL names), one company with one endpoint at a receiver on 127.0.0.1
that runs in its own process and verifies every delivery with the `standardwebhooks`
package, as a customer's would. It writes `--events` events into the outbox (each in its
own transaction, as the business changes do, timed too), then one worker, in this process,
runs the scheduler's sweep (`deliver_due_webhooks`) until nothing is due: claim, sign,
POST (keep-alive), record, one delivery at a time. Prints the wall time, deliveries per
second and what the receiver counted. Nothing asserts timings.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK_DIR = Path(tempfile.mkdtemp(prefix="quotery-webhook-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")

import django  # noqa: E402

TARGET_SECONDS = 20.0


def run_receiver(port: int, secret: str, stop: Any, counts: Any) -> None:
    """The receiver process: verifies, dedupes, answers 204; counts into `counts`."""
    from tests.webhook_receiver import WebhookReceiver

    receiver = WebhookReceiver(port=port)
    receiver.secrets = [secret]
    receiver.start()
    stop.wait()
    receiver.stop()
    counts["requests"] = len(receiver.requests)
    counts["verified"] = sum(request.verified for request in receiver.requests)
    counts["processed"] = len(receiver.processed)
    counts["duplicates"] = sum(request.duplicate for request in receiver.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    django.setup()

    from django.db import connection, transaction
    from django.test.utils import override_settings
    from django.utils import timezone

    from quotery.accounts.factories import CompanyFactory
    from quotery.webhooks.event_types import ALL_EVENT_TYPES
    from quotery.webhooks.models import DeliveryStatus, WebhookDelivery
    from quotery.webhooks.payloads import quote_fields
    from quotery.webhooks.services.endpoints import webhook_endpoint_create
    from quotery.webhooks.services.publishing import webhook_event_publish
    from quotery.webhooks.tasks import deliver_due_webhooks
    from tests.network import free_port

    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(WORK_DIR / "bench-test.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    manager = context.Manager()
    counts = manager.dict()
    receiver = None
    try:
        company = CompanyFactory()
        port = free_port()
        created = webhook_endpoint_create(
            company=company,
            url=f"http://127.0.0.1:{port}/hooks/quotery",
            event_types=ALL_EVENT_TYPES,
        )
        receiver = context.Process(
            target=run_receiver, args=(port, created.secret, stop, counts), daemon=True
        )
        receiver.start()
        time.sleep(1.0)  # the receiver's process starts listening

        # The outbox rows, each event in its own transaction; no task queue (the sweep sends).
        dummy = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
        with override_settings(TASKS=dummy):
            began = time.perf_counter()
            for number in range(args.events):
                with transaction.atomic():
                    webhook_event_publish(
                        company_id=company.pk,
                        webhook_type="quote.viewed",
                        occurred_at=timezone.now(),
                        data={**quote_fields(number + 1), "revision": 1, "event_sequence": 3},
                    )
            written = time.perf_counter() - began

        began = time.perf_counter()
        delivered = 0
        while True:
            sent = deliver_due_webhooks.call()
            delivered += sent
            if not sent:
                break
        elapsed = time.perf_counter() - began

        stop.set()
        receiver.join(timeout=10)
        statuses = dict(
            (status, WebhookDelivery.objects.filter(status=status).count())
            for status in DeliveryStatus.values
        )
        print(f"Webhook delivery on {connection.vendor}: {args.events} events, one worker")
        print(
            f"writing the outbox: {written:.2f} s "
            f"({written / args.events * 1e6:.0f} µs per event, its own transaction)"
        )
        verdict = "under" if elapsed < TARGET_SECONDS else "OVER"
        print(
            f"delivering: {elapsed:.2f} s for {delivered} deliveries "
            f"({delivered / elapsed:.0f} per second, {elapsed / max(delivered, 1) * 1e3:.2f} ms "
            f"each); target {TARGET_SECONDS:.0f} s: {verdict}"
        )
        print(f"deliveries by status: {statuses}")
        print(f"receiver: {dict(counts)}")
    finally:
        stop.set()
        if receiver is not None and receiver.is_alive():
            receiver.terminate()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(WORK_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
