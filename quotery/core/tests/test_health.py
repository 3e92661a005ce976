"""/healthz and /readyz: what a proxy or an orchestrator sees, each readiness check passing and
failing for real (a database that does not answer, a migration unapplied on the test database,
an object store nobody listens for), and a real gunicorn with production settings answering
probes sent to the machine's address."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from botocore.config import Config
from django.core.management import call_command
from django.db import connection
from django.test import Client

from config.env import BASE_DIR
from tests.databases import database_url
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
def test_probes_touch_no_session_and_no_rate_limit() -> None:
    from django.contrib.sessions.models import Session

    from quotery.portal.models import RateLimitCounter

    # many probes from one address, as an orchestrator sends them
    for _ in range(30):
        assert probe("/readyz", REMOTE_ADDR="10.20.30.1").status_code == 200
        assert probe("/healthz", REMOTE_ADDR="10.20.30.1").status_code == 200

    assert (RateLimitCounter.objects.count(), Session.objects.count()) == (0, 0)


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


@pytest.mark.django_db
def test_readyz_is_ready_with_its_bucket_and_unavailable_without_it(s3_storage) -> None:  # type: ignore[no-untyped-def]
    # given the default storage in a bucket on the S3 server
    assert probe("/readyz").status_code == 200

    # when the bucket is gone (S3 answers a key in it as missing, not as an error)
    s3_storage.server.drop_bucket(s3_storage.name)
    try:
        response = probe("/readyz")
    finally:
        s3_storage.server.client().create_bucket(Bucket=s3_storage.name)

    # then the probe says so
    assert (response.status_code, response.content) == (
        503,
        b"storage: the bucket is missing or refused (ClientError)\n",
    )


def get(port: int, path: str, host: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_in_production_answers_probes_to_the_machine_address_and_nothing_else() -> None:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "Uo6QNi-85yOigeeY22AEbBEJBc55FSesalUDSeaK9P0TWsyezXoWL7i7abzFaTvmxkQ",
        "ALLOWED_HOSTS": "quotes.example.com",
        "DATABASE_URL": database_url(),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    env.pop("GUNICORN_CMD_ARGS", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)

        assert get(port, "/healthz", MACHINE_IP) == (200, b"ok\n")
        assert get(port, "/readyz", MACHINE_IP) == (200, b"ready\n")
        assert get(port, "/accounts/login/", MACHINE_IP)[0] == 400
        assert get(port, "/accounts/login/", "quotes.example.com")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=60)
