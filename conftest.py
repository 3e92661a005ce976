"""Shared pytest fixtures: companies, members by role, a logged-in client, an SMTP server."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client as HttpClient

from quotery.accounts.factories import DEFAULT_PASSWORD, CompanyFactory, member
from quotery.accounts.models import Company, Role, User
from tests.network import SmtpInbox, free_port, smtp_mailers


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
