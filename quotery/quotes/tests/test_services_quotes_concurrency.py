"""Quote numbers under real concurrency: threads with their own database connections."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory
from quotery.quotes.models import NumberSequence, Quote
from quotery.quotes.services.quotes import quote_create
from quotery.quotes.tests.conftest import quote_input

THREADS = 8
ROUNDS = 3
# Numbers follow the issue date's year; the quotes are never shared, so the day is any.
ISSUED = dt.date(2026, 11, 2)
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def create_concurrently(
    jobs: Sequence[tuple[Any, Any, Any]], rounds: int = ROUNDS
) -> list[BaseException]:
    """Runs quote_create for each (company, owner, client) in its own thread, all released
    at once by a barrier. Returns the errors raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def work(company, owner, client) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            for _ in range(rounds):
                data = quote_input(
                    client, issue_date=ISSUED, valid_until=ISSUED + dt.timedelta(days=28)
                )
                quote_create(company=company, owner=owner, data=data)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_unique_gap_free_numbers_per_company():
    # given two companies with no quote yet (so the counter rows are created in the race too)
    companies = [CompanyFactory(), CompanyFactory()]
    jobs = []
    for company in companies:
        for _ in range(THREADS // 2):
            owner = member(company, Role.REP)
            jobs.append((company, owner, ClientFactory(company=company)))
    # when every thread creates quotes at the same moment
    errors = create_concurrently(jobs)
    # then none failed, and each company's numbers run 1..n without a gap or a duplicate
    assert errors == []
    per_company = THREADS // 2 * ROUNDS
    for company in companies:
        numbers = sorted(Quote.objects.filter(company=company).values_list("number", flat=True))
        assert numbers == [f"Q-2026-{n:04d}" for n in range(1, per_company + 1)]
        counter = NumberSequence.objects.get(company=company, kind="quote", year=2026)
        assert counter.last_value == per_company


SQLITE_RACE = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from quotery.quotes.tests import test_services_quotes_concurrency as race
from quotery.accounts.models import Role
from quotery.accounts.factories import CompanyFactory, member
from quotery.clients.factories import ClientFactory
from quotery.quotes.models import Quote

company = CompanyFactory()
jobs = [
    (company, member(company, Role.REP), ClientFactory(company=company))
    for _ in range(race.THREADS)
]
errors = race.create_concurrently(jobs, rounds=2)
print(json.dumps({
    "errors": [repr(e) for e in errors],
    "numbers": sorted(Quote.objects.filter(company=company).values_list("number", flat=True)),
}))
"""


@pytest.mark.django_db
def test_concurrent_creates_on_a_sqlite_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL run races in-process above")
    # given a fresh SQLite file configured as in production (WAL, IMMEDIATE transactions)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
    }
    # when another process runs threads that all create quotes at the same moment
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SQLITE_RACE],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # then every create succeeded with a unique, gap-free number
    assert outcome["errors"] == []
    assert outcome["numbers"] == [f"Q-2026-{n:04d}" for n in range(1, THREADS * 2 + 1)]
