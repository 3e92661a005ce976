"""The redacting log filters on their own: what they rewrite in a record (message, traceback,
stack), what they leave, and what they never do (drop a record, read a request's body)."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import RequestFactory
from gunicorn.config import Config as GunicornConfig

from quotery.core.logging import (
    RedactingGunicornLogger,
    RedactPersonalData,
    RedactPortalTokens,
    redact_personal_data,
)

TOKEN = "AbCdEfGhIjKlMnOpQrStUv0123456789-_wXyZaBcDeF"  # the shape of a link token


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("django.request", logging.ERROR, __file__, 1, msg, args, None)
    made.__dict__.update(extra)
    return made


def test_security_7_the_message_traceback_and_stack_are_redacted() -> None:
    # given a record whose message, exception and stack all carry a token
    try:
        raise ValueError(f"no share for {TOKEN}")
    except ValueError:
        failed = record("Internal Server Error: %s", f"/p/{TOKEN}/accept/")
        failed.exc_info = sys.exc_info()
    failed.stack_info = f'  File "views.py", line 3, in accept\n    token = "{TOKEN}"'

    # when the filter sees it
    kept = RedactPortalTokens().filter(failed)

    # then it is kept, and what a formatter writes holds no token
    assert kept is True
    written = logging.Formatter("%(message)s").format(failed)
    assert written.startswith("Internal Server Error: /p/[redacted]/accept/\nTraceback")
    assert "ValueError: no share for [redacted]\n" in written
    assert written.endswith('token = "[redacted]"')
    assert TOKEN not in written


def test_security_7_a_record_with_nothing_to_redact_is_left_as_it_was() -> None:
    plain = record("Outbox email %s (%s) attempt %s failed", 7, "share", 2)

    assert RedactPortalTokens().filter(plain) is True
    assert RedactPersonalData().filter(plain) is True

    assert (plain.msg, plain.args) == ("Outbox email %s (%s) attempt %s failed", (7, "share", 2))


def test_security_7_a_malformed_record_is_passed_on_untouched() -> None:
    broken = record("%s and %s", "only one")

    assert RedactPortalTokens().filter(broken) is True
    assert RedactPersonalData().filter(broken) is True

    assert (broken.msg, broken.args) == ("%s and %s", ("only one",))


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        ("from anna@client.test", "from [redacted]"),
        ("next=%2F%3Femail%3Danna%40client.test", "next=%2F%3Femail%3D[redacted]"),
        ("Invalid request from ip=::1: bad line", "Invalid request from ip=[redacted]: bad line"),
        (
            "Invalid request from ip=198.51.100.7: Invalid HTTP method: 'G'",
            "Invalid request from ip=[redacted]: Invalid HTTP method: 'G'",
        ),
        ("@wraps(view) in decorators.py", "@wraps(view) in decorators.py"),
        ("skip=3 ip=address", "skip=3 ip=address"),
    ],
)
def test_security_24_emails_and_gunicorns_client_address_are_redacted_anywhere(
    logged: str, kept: str
) -> None:
    assert redact_personal_data(logged) == kept


def test_security_24_the_requests_values_are_redacted_as_whole_words() -> None:
    values = ["Zoë Client", "198.51.100.7", "on"]

    assert redact_personal_data(
        "by Zoë Client from 198.51.100.7, not 198.51.100.77; Django escaped: Zo\\xeb Client",
        values=values,
    ) == ("by [redacted] from [redacted], not 198.51.100.77; Django escaped: [redacted]")
    # a value of under three characters (a ticked box's "on") is left alone
    assert redact_personal_data("Error on line 3", values=values) == "Error on line 3"


def test_security_24_a_request_records_form_and_addresses_are_redacted() -> None:
    # given a request that read its form, from a client behind a proxy
    request = RequestFactory().post(
        f"/p/{TOKEN}/accept/?ref=newsletter-anna",
        {"signer_name": "Anna Client", "signer_email": "anna@client.test"},
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5",
    )
    assert request.POST["signer_name"] == "Anna Client"
    failed = record(
        "Could not save Anna Client (via 198.51.100.7, 203.0.113.5, 192.0.2.10) newsletter-anna",
        request=request,
    )

    RedactPersonalData().filter(failed)

    assert failed.getMessage() == (
        "Could not save [redacted] (via [redacted], [redacted], [redacted]) [redacted]"
    )


def test_security_24_a_request_body_nobody_read_is_not_read_by_the_filter() -> None:
    # given a request whose form the application never read
    request = RequestFactory().post("/p/x/accept/", {"signer_name": "Anna Client"})

    # when its record is filtered
    RedactPersonalData().filter(record("Forbidden", request=request))

    # then the body is still unread (reading it in a log filter could fail or be slow)
    assert "_post" not in request.__dict__


def test_security_7_gunicorn_handlers_carry_both_filters_once_after_a_reload(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = GunicornConfig()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = RedactingGunicornLogger(config)

    logger.setup(config)  # what gunicorn runs on a configuration reload (HUP)

    for handler in logger.access_log.handlers + logger.error_log.handlers:
        kinds = sorted(type(log_filter).__name__ for log_filter in handler.filters)
        assert kinds == ["RedactPersonalData", "RedactPortalTokens"]
