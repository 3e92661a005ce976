"""The notification suites' world: the rep's quote, a colleague's and a stranger's notes."""

from __future__ import annotations

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.notifications.tests.notification_fixtures import notify
from quotery.quotes.factories import make_quote


@pytest.fixture
def world(company, other_company, rep):  # type: ignore[no-untyped-def]
    colleague = member(company, Role.REP)
    stranger = member(other_company, Role.REP)
    quote = make_quote(owner=rep)
    return {
        "quote": quote,
        "colleague": colleague,
        "stranger": stranger,
        "colleague_note": notify(colleague, make_quote(owner=colleague)),
        "stranger_note": notify(stranger, make_quote(owner=stranger)),
    }
