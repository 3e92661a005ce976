"""The outbox knows no kind of email: the apps above register a builder for each kind they
write. Every kind any code writes has one, found by reading every `outbox_email_add` call."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives

import quotery
from quotery.notifications import rendering
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import (
    UnknownEmailKind,
    email_builders_register,
    registered_email_kinds,
    render_outbox_email,
)
from quotery.portal.emails import share

QUOTERY = Path(quotery.__file__).parent

Call = tuple[ast.Call, ast.FunctionDef | None, str]  # the call, the function it is in, where


def _calls_in_code() -> Iterator[Call]:
    """Every call in the application's modules (not tests, not migrations)."""
    for path in sorted(QUOTERY.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(QUOTERY).parts):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                # The innermost function around the call: the last one that contains it.
                around = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or 0)]
                where = f"{path.relative_to(QUOTERY.parent)}:{node.lineno}"
                yield node, around[-1] if around else None, where


def _name_of(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def kinds_written() -> tuple[dict[str, list[str]], list[str]]:
    """The kinds passed as `kind=` to `outbox_email_add` (kind -> where), following a kind
    handed down through a helper's keyword argument (`_tell_owner(email_kind=...)`); and the
    places where the kind is neither a literal nor such an argument, which this cannot read."""
    calls_by_name: dict[str, list[Call]] = defaultdict(list)
    for call in _calls_in_code():
        calls_by_name[_name_of(call[0])].append(call)
    kinds: dict[str, list[str]] = defaultdict(list)
    unreadable: list[str] = []

    def follow(calls: list[Call], keyword: str) -> None:
        for call, function, where in calls:
            value = next((k.value for k in call.keywords if k.arg == keyword), None)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                kinds[value.value].append(where)
            elif (
                isinstance(value, ast.Name)
                and function is not None
                and value.id in {a.arg for a in function.args.kwonlyargs}
            ):
                follow(calls_by_name[function.name], value.id)
            else:
                unreadable.append(where)

    follow(calls_by_name["outbox_email_add"], "kind")
    return kinds, unreadable


def test_every_kind_of_email_the_code_writes_has_a_registered_builder() -> None:
    # given every outbox_email_add call in the application's code
    kinds, unreadable = kinds_written()

    # then each kind is a literal this test can read (directly or through a helper)
    assert unreadable == []
    # and the kinds written are exactly the kinds registered: none unsendable, none unused
    # (tests/security/test_email_headers.py sends each of them, and names them)
    assert sorted(kinds) == sorted(registered_email_kinds())


def test_the_kinds_are_read_from_the_calls_and_the_helpers_that_pass_them_on() -> None:
    # given the calls as they are: literals at the call, and the owner's emails through a helper
    kinds, _unreadable = kinds_written()

    # then each kind is traced back to where its literal is written
    assert [where.split(":")[0] for where in kinds["portal_share"]] == [
        "quotery/portal/services/sharing.py"
    ]
    assert [where.split(":")[0] for where in kinds["declined_rep"]] == [
        "quotery/portal/services/answers.py"
    ]


@pytest.fixture
def registry_kept() -> Iterator[None]:
    """Puts the registry back as the apps left it after a test that registers."""
    saved = dict(rendering._builders)
    yield
    rendering._builders.clear()
    rendering._builders.update(saved)


def _another_builder(email: OutboxEmail) -> EmailMultiAlternatives:
    return EmailMultiAlternatives(subject="Another", to=[email.to_email])


@pytest.mark.usefixtures("registry_kept")
def test_a_kind_another_builder_has_is_refused_and_nothing_is_registered() -> None:
    # given the portal's share email registered (by PortalConfig.ready)
    assert rendering._builders["portal_share"] is share.share_email

    # when another app registers a builder for the same kind, along with a new kind
    with pytest.raises(ImproperlyConfigured, match="portal_share"):
        email_builders_register({"portal_share": _another_builder, "quarterly": _another_builder})

    # then the share email keeps its builder and the new kind is not registered either
    assert rendering._builders["portal_share"] is share.share_email
    assert "quarterly" not in registered_email_kinds()


@pytest.mark.usefixtures("registry_kept")
def test_registering_the_same_builder_again_changes_nothing() -> None:
    before = dict(rendering._builders)

    email_builders_register({"portal_share": share.share_email})

    assert rendering._builders == before


@pytest.mark.django_db
@pytest.mark.usefixtures("registry_kept")
def test_a_row_of_a_kind_nobody_registered_fails_with_its_kind_named(company) -> None:  # type: ignore[no-untyped-def]
    # given a row of a kind no app registered
    email = OutboxEmail.objects.create(
        company=company, kind="quarterly", dedupe_key="q:1", to_email="anna@example.com"
    )

    # then building it fails, naming the kind
    with pytest.raises(UnknownEmailKind, match="No email is defined for kind 'quarterly'"):
        render_outbox_email(email)

    # and once an app registers the kind, the same row builds
    email_builders_register({"quarterly": _another_builder})
    assert render_outbox_email(email).subject == "Another"
