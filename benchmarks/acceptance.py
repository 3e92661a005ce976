"""Acceptance end to end: the client's POST on /p/<token>/accept/ to the response, with every
side effect committed (acceptance, chained event, state, stock reservations, delivery note,
notification, two outbox emails).

Run from the project root:

    .venv/bin/python benchmarks/acceptance.py [--runs 41]

Two ways of running the background work are measured, each over its own fresh quotes:

- background (as production runs it): the sealed PDF and the two emails are tasks that the
  worker runs after the commit; the request ends at the commit. The worker's share (typeset,
  seal, store, build and send both emails) is then measured separately, per acceptance.
- inline: the tasks run inside the request, right after the commit (Django's immediate task
  backend), so the response waits for the sealed PDF and both emails.

It builds a throwaway SQLite file database (WAL, IMMEDIATE transactions, as `bin/dev` runs)
in a temporary directory, or `test_<name>` on the server when DATABASE_URL points at
PostgreSQL. Each quote has 3 sections of 10 lines, half of them stock products. Requests go
through Django's test client, in process: the numbers are the application's cost, without
a network or gunicorn. Email goes to Django's in-memory mailer. Nothing asserts timings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK_DIR = Path(tempfile.mkdtemp(prefix="quotery-accept-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")

import django  # noqa: E402
from django.conf import settings  # noqa: E402


def setup_django() -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(WORK_DIR / "media")},
        },
    }
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SEAL_KEY_PATH = str(WORK_DIR / "seal" / "seal-key.pem")
    settings.SEAL_CERT_PATH = str(WORK_DIR / "seal" / "seal-cert.pem")
    settings.DEBUG = False
    django.setup()
    from quotery.portal.ratelimit import DEFAULT_LIMITS

    # The limiter is read per request: every limit too high to trigger.
    settings.PORTAL_RATE_LIMITS = {name: (10**9, 600) for name in DEFAULT_LIMITS}


def use_task_backend(path: str) -> None:
    """Switches the task backend (Django caches backends per process, like connections)."""
    from asgiref.local import Local
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": path}}
    # The handler keeps the settings it read and the backends it made; forget both.
    handler: Any = task_backends
    handler._settings = None
    handler.__dict__.pop("settings", None)
    handler._connections = Local(handler.thread_critical)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def shared_quotes(count: int) -> list[Any]:
    from quotery.accounts.factories import CompanyFactory, member
    from quotery.accounts.models import Role
    from quotery.catalog.factories import ProductFactory
    from quotery.catalog.services import stock_adjust
    from quotery.portal.services.sharing import share_send
    from quotery.portal.tests.portal_fixtures import Shared
    from quotery.quotes.factories import make_quote
    from quotery.sharing.links import share_token

    company = CompanyFactory(name="Northwind Office Supply")
    rep = member(company, Role.REP)
    products = [ProductFactory(company=company) for _ in range(5)]
    for product in products:
        stock_adjust(product=product, delta=Decimal(100000), reason="Count", user=rep)
    line_products = [products[i % 5] if i % 2 == 0 else None for i in range(30)]
    result = []
    for _ in range(count):
        quote = make_quote(
            owner=rep, sections=3, lines_per_section=10, products=line_products, title="Fit-out"
        )
        share = share_send(
            quote=quote, user=rep, recipient_name="Anna Client", recipient_email="anna@c.test"
        )
        token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
        result.append(Shared(quote=quote, share=share, token=token))
    return result


def accept_all(shared: list[Any]) -> list[float]:
    """POSTs each quote's acceptance form as a browser would (the form's CSRF token and
    revision hash from a GET first, not timed) and times each POST."""
    import re

    from django.test import Client
    from django.urls import reverse

    samples = []
    for item in shared:
        browser = Client(enforce_csrf_checks=True)
        url = reverse("portal:accept", args=[item.token])
        html = browser.get(url).content.decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        revision = re.search(r'name="revision_hash" value="([0-9a-f]{64})"', html)
        assert csrf and revision, "the acceptance form did not render"
        data = {
            "csrfmiddlewaretoken": csrf.group(1),
            "revision_hash": revision.group(1),
            "signer_name": "Anna Client",
            "signer_email": "anna@c.test",
            "consent": "on",
        }
        start = time.perf_counter()
        response = browser.post(url, data)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
    return samples


def run_tasks_later(shared: list[Any]) -> list[float]:
    """The worker's share per acceptance: seal and store the PDF, send both emails."""
    from quotery.documents.tasks import seal_accepted_pdf
    from quotery.notifications.delivery import outbox_email_deliver
    from quotery.notifications.models import OutboxEmail
    from quotery.sharing.models import Acceptance

    samples = []
    for item in shared:
        acceptance = Acceptance.objects.get(quote=item.quote)
        emails = list(
            OutboxEmail.objects.filter(dedupe_key__endswith=f":{acceptance.pk}").values_list(
                "pk", flat=True
            )
        )
        start = time.perf_counter()
        seal_accepted_pdf.call(acceptance.pk)
        for email_id in emails:
            outbox_email_deliver(email_id=email_id)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | "
        f"{percentile(samples, 0.9):.1f} | {max(samples):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41, help="acceptances per mode")
    args = parser.parse_args()

    setup_django()
    from django.core import mail
    from django.db import connection

    from quotery.notifications.models import EmailStatus, OutboxEmail

    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(WORK_DIR / "bench-test.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    mail.outbox = []
    try:
        warm = shared_quotes(3)
        accept_all(warm)  # first typeset, first seal key, template caches

        use_task_backend("django.tasks.backends.dummy.DummyBackend")
        later = shared_quotes(args.runs)
        background = accept_all(later)
        worker = run_tasks_later(later)

        use_task_backend("django.tasks.backends.immediate.ImmediateBackend")
        inline_quotes = shared_quotes(args.runs)
        inline = accept_all(inline_quotes)

        sent = OutboxEmail.objects.filter(
            kind__startswith="acceptance", status=EmailStatus.SENT
        ).count()
        print(f"Acceptance end to end on {connection.vendor}, {args.runs} acceptances per mode")
        print(f"(30-line quotes, 15 stock lines; {sent} acceptance emails sent)\n")
        print("| Case | n | p50 ms | p90 ms | max ms |")
        print("|---|---|---|---|---|")
        print(row("POST accept, PDF and emails in the background (production)", background))
        print(row("the worker's share afterwards: seal + store PDF, send 2 emails", worker))
        print(row("POST accept with PDF sealing and both emails inline", inline))
        print("\nTarget: p50 under 150 ms on SQLite.")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(WORK_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
