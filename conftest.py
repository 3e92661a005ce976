"""Shared pytest fixtures: companies, members by role, a logged-in client, an SMTP server,
an S3 server and a bucket as the default storage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.http import HttpRequest
from django.test import Client as HttpClient

from quotery.accounts.factories import DEFAULT_PASSWORD, CompanyFactory, member
from quotery.accounts.models import Company, Role, User
from tests.network import SmtpInbox, free_port, smtp_mailers
from tests.s3 import S3Server, running_s3_server


@pytest.fixture
def company(db: None) -> Company:
    return CompanyFactory()


@pytest.fixture
def other_company(db: None) -> Company:
    return CompanyFactory()


@pytest.fixture
def rep(company: Company) -> User:
    return member(company, Role.REP)


@pytest.fixture
def manager(company: Company) -> User:
    return member(company, Role.MANAGER)


@pytest.fixture
def admin_user(company: Company) -> User:
    return member(company, Role.ADMIN)


@pytest.fixture
def finance(company: Company) -> User:
    return member(company, Role.FINANCE)


@pytest.fixture
def login(client: HttpClient):  # type: ignore[no-untyped-def]
    """login(user) logs the test client in and returns it."""

    def do_login(user: User) -> HttpClient:
        # Sign-in throttling (django-axes) counts attempts per request: authenticate() needs one.
        assert client.login(request=HttpRequest(), email=user.email, password=DEFAULT_PASSWORD)
        return client

    return do_login


@pytest.fixture
def smtp_server(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server on 127.0.0.1 that the default mailer sends to for this test."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = smtp_mailers(port, timeout=10)
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1, started once per test process (each xdist worker)."""
    with running_s3_server() as server:
        yield server


@dataclass(frozen=True)
class S3Bucket:
    server: S3Server
    name: str

    def keys(self, prefix: str = "") -> list[str]:
        return self.server.keys(self.name, prefix)


@pytest.fixture
def s3_storage(settings, s3_server: S3Server) -> Iterator[S3Bucket]:  # type: ignore[no-untyped-def]
    """A new private bucket on the S3 server as the default storage for this test, with the
    options production uses (config.env.file_storage). Assigning STORAGES through `settings`
    sends setting_changed, which drops Django's cached storage objects (and again when the
    test ends)."""
    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_options(bucket)}
    yield S3Bucket(server=s3_server, name=bucket)
    s3_server.drop_bucket(bucket)
