"""What redacting a log line costs (SECURITY.md 7 and 24): the two filters every configured
handler and gunicorn's access and error logs run on each line.

Run from the project root:

    .venv/bin/python benchmarks/log_redaction.py [--lines 20000]

Each case is a 200-character line, as gunicorn's access log or Django's warnings write them:
one with nothing to redact, one with a link token, one with percent-escapes (the slower path,
which decodes before matching), and one Django request record carrying a request (the personal
data filter then also looks for the request's values). Reports microseconds per line: the
redaction functions alone, and both filters on a fresh log record (creating the record is
counted too, and shown apart). Nothing asserts timings.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.test import RequestFactory  # noqa: E402

from quotery.core.logging import (  # noqa: E402
    RedactPersonalData,
    RedactPortalTokens,
    redact_personal_data,
    redact_portal_paths,
)

TOKEN = "AbCdEfGhIjKlMnOpQrStUv0123456789-_wXyZaBcDeF"  # noqa: S105 (a made-up link token)


def line_of_200(text: str) -> str:
    """`text` and an access log's tail (referer, user agent, duration), cut to 200 characters."""
    agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    line = f'{text} "https://mail.example/inbox/read" "{agent} Version/17.5 Safari/605.1.15" 12ms'
    assert len(line) >= 200, len(line)
    return line[:200]


LINES = {
    "nothing to redact": line_of_200(
        '[07/Dec/2026:10:00:00 +0000] "GET /quotes/12/edit/?section=3 HTTP/1.1" 200 5120 "-"'
    ),
    "a token": line_of_200(
        f'[07/Dec/2026:10:00:00 +0000] "GET /p/{TOKEN}/pdf/ HTTP/1.1" 200 5120 "-"'
    ),
    "escapes, no token": line_of_200(
        '[07/Dec/2026:10:00:00 +0000] "GET /accounts/login/?next=%2Fquotes%2F12%2F HTTP/1.1" 200'
    ),
    "escapes and a token": line_of_200(
        f'[07/Dec/2026:10:00:00 +0000] "GET /login/?next=%2Fp%2F{TOKEN}%2F HTTP/1.1" 200 "-"'
    ),
}


def microseconds(function: Callable[[], object], lines: int) -> float:
    """The best of 5 rounds of `lines` calls, per call, in CPU time of this process (the
    machine may be busy with other work; wall time would count the waits)."""
    rounds = timeit.Timer(function, timer=time.process_time).repeat(number=lines, repeat=5)
    return min(rounds) / lines * 1e6


def record_for(text: str, request: object | None = None) -> logging.LogRecord:
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, text, None, None)
    if request is not None:
        record.request = request
    return record


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20000)
    lines = parser.parse_args().lines
    tokens, personal = RedactPortalTokens(), RedactPersonalData()
    request = RequestFactory().post(
        f"/p/{TOKEN}/accept/",
        {"signer_name": "Anna Client", "signer_email": "anna@client.test", "consent": "on"},
        REMOTE_ADDR="198.51.100.7",
    )
    request.POST  # noqa: B018 (read, as the view would have)

    def both_filters(text: str, request: object | None = None) -> None:
        record = record_for(text, request)
        tokens.filter(record)
        personal.filter(record)

    print(f"per 200-character line, best of 5 rounds of {lines} lines, CPU microseconds")
    print(f"{'line':<22}{'tokens':>10}{'personal':>10}{'both filters on a record':>28}")
    for name, text in LINES.items():
        print(
            f"{name:<22}"
            f"{microseconds(partial(redact_portal_paths, text), lines):>10.1f}"
            f"{microseconds(partial(redact_personal_data, text), lines):>10.1f}"
            f"{microseconds(partial(both_filters, text), lines):>28.1f}"
        )
    text = line_of_200(f"Forbidden (CSRF token from POST incorrect.): /p/{TOKEN}/accept/")
    with_request = microseconds(partial(both_filters, text, request), lines)
    print(f"{'a request record':<42}{with_request:>28.1f}")
    # Lines built to be slow: gunicorn reads request lines of up to 4094 characters and
    # header fields of up to 8190.
    hostile = {
        "8 KB of letters, one @": "a" * 8000 + "@",
        "8 KB of /p/a/p/a": "/p/a" * 2000,
        "8 KB of %25 nesting": "%" + "25" * 4000 + "41",
        "8 KB of %41": "%41" * 2700,
    }
    for name, line in hostile.items():
        print(f"{name:<42}{microseconds(partial(both_filters, line), 200):>28.1f}")
    creating = microseconds(partial(record_for, text), lines)
    print(f"(creating a record alone: {creating:.1f})")


if __name__ == "__main__":
    main()
