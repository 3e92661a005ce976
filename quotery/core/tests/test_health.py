"""/healthz and /readyz: what a proxy or an orchestrator sees, each readiness check passing and
failing for real (a database that does not answer, a migration unapplied on the test database,
an object store nobody listens for)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.config import Config
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.network import free_port

# The machine's own address, as nginx or an orchestrator sends it when probing an upstream.
MACHINE_IP = "10.20.30.40"


def probe(path: str, method: str = "get", client: Client | None = None, **extra: str):  # type: ignore[no-untyped-def]
    client = client or Client()
    return getattr(client, method)(path, HTTP_HOST=MACHINE_IP, **extra)


def test_healthz_answers_without_the_database_and_with_the_machine_address_as_host() -> None:
    # no database access is allowed in this test: touching it would raise
    response = probe("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Length"] == "3"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_the_machine_address_opens_nothing_but_the_probes() -> None:
    assert probe("/accounts/login/").status_code == 400
    assert probe("/healthz/").status_code == 400


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_probes_answer_get_and_head_only(path: str, method: str) -> None:
    response = probe(path, method)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_is_ready_when_database_migrations_and_storage_answer() -> None:
    response = probe("/readyz")

    assert (response.status_code, response.content) == (200, b"ready\n")
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


@pytest.mark.django_db
def test_head_probes_answer_without_a_body() -> None:
    for path in ("/healthz", "/readyz"):
        response = probe(path, "head")
        assert (response.status_code, response.content) == (200, b"")


@pytest.fixture
def database_gone() -> Iterator[None]:
    """The default database points where nothing answers: a directory that does not exist for
    SQLite, a port nobody listens on for PostgreSQL. Restored afterwards."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-quotery-dir/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_readyz_is_unavailable_while_the_database_does_not_answer(database_gone: None) -> None:
    response = probe("/readyz")

    assert response.status_code == 503
    assert response.content == (
        b"database: does not answer (OperationalError)\n"
        b"migrations: not checked, the database does not answer\n"
    )
    assert response["Cache-Control"] == "no-store"


@pytest.fixture
def admin_migration_unapplied() -> Iterator[None]:
    """The test database with Django admin's last migration really unapplied, then applied
    again."""
    call_command("migrate", "admin", "0002", verbosity=0)
    try:
        yield
    finally:
        call_command("migrate", "admin", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_readyz_is_unavailable_while_a_migration_is_not_applied(
    admin_migration_unapplied: None,
) -> None:
    response = probe("/readyz")

    assert (response.status_code, response.content) == (503, b"migrations: 1 not applied\n")


@pytest.mark.django_db(transaction=True)
def test_readyz_remembers_that_the_migrations_were_applied() -> None:
    # given a process that once found every migration applied
    process = Client()
    assert probe("/readyz", client=process).status_code == 200

    # when a migration is unapplied afterwards
    call_command("migrate", "admin", "0002", verbosity=0)
    try:
        # then that process does not plan the migrations again; a new one does
        assert probe("/readyz", client=process).status_code == 200
        assert probe("/readyz").content == b"migrations: 1 not applied\n"
    finally:
        call_command("migrate", "admin", verbosity=0)
    assert probe("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_unavailable_while_the_storage_does_not_answer(settings) -> None:  # type: ignore[no-untyped-def]
    # given an object store at an address where nobody listens
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "quotery",
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "access_key": "probe",
                "secret_key": "probe",
                "region_name": "us-east-1",
                "client_config": Config(retries={"max_attempts": 1}, connect_timeout=2),
            },
        },
    }

    response = probe("/readyz")

    assert (response.status_code, response.content) == (
        503,
        b"storage: does not answer (EndpointConnectionError)\n",
    )
