"""Keeps portal link tokens (SECURITY.md 7) and personal data (SECURITY.md 24) out of every log.

A portal link is a capability: whoever reads it in a log can open the quote. Django logs
the path of every 4xx/5xx response ("Not Found: /p/<token>/", "Forbidden (CSRF ...)"), a
500's traceback, the development server's request lines; gunicorn's access log writes the
raw request line and the Referer. All of them pass through the two filters here:

- `RedactPortalTokens` and `RedactPersonalData`, set on the handlers in settings.LOGGING, and
- `RedactingGunicornLogger`, gunicorn's `logger_class` in gunicorn.conf.py, which sets the same
  filters on gunicorn's access log and error log handlers.

A filter rewrites the record's whole text (message, traceback, stack), so nothing depends on
which logger wrote the line or how. Matching happens on the percent-decoded text, decoded
repeatedly (`%2F`, `%252F`, `%41` for a token's own letters), and the matched parts are
replaced in the text as it was written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"

# A token is 44 base64url characters (quotery.sharing.links). Any run of 40 or more is
# redacted, wherever it stands (a path segment, a query string, a Referer, a traceback), so
# a token that lost a character or gained a few is hidden too. A run is only taken for a
# token when it mixes upper and lower case: a random token does, except about once in five
# billion, while the long runs a log legitimately holds do not (hex digests such as SHA-256,
# UUIDs, snake_case names in a traceback, numbers).
TOKEN_RUN_MIN = 40
_TOKEN_RUN = re.compile(rf"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{{{TOKEN_RUN_MIN},}}")
# The regex above costs about 2.7 microseconds on a 200-character line. Nearly every line
# holds no run that long, and this finds out in 0.5: each byte becomes "t" (a base64url
# character) or a space, and a substring search in C looks for 40 t's in a row.
_RUN_CHARACTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_RUN_TABLE = bytes(ord("t") if byte in _RUN_CHARACTERS else ord(" ") for byte in range(256))
_RUN_OF_MIN_LENGTH = b"t" * TOKEN_RUN_MIN
# What a portal path holds after /p/, even when it is too short to be a token (a link cut in
# two by a mail client still carries part of the secret). The staff-only preview path
# (/p/preview/<id>/) holds no secret and stays readable.
_PORTAL_SEGMENT = re.compile(r"/[pP]/(?!preview/)([^/\s?#\"'&]+)")

_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# Real clients and proxies encode twice at most; the bound keeps a hostile request line of
# nested escapes (%252525...) from costing the logger more than a few passes over it.
MAX_DECODING_PASSES = 4
# After those passes, what is still escaped counts as part of a run, in any case: it can
# only be a deliberately nested encoding.
_ESCAPED_TOKEN_RUN = re.compile(rf"(?<![A-Za-z0-9_%-])[A-Za-z0-9_%-]{{{TOKEN_RUN_MIN},}}")

# Each pattern starts where a run starts, or after fixed text, so a hostile line (8 KB of
# letters and one "@") costs one pass over it, not one per character.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# gunicorn's only line naming the client: "Invalid request from ip=<address>: <error>".
_GUNICORN_CLIENT = re.compile(r"(?<=Invalid request from ip=)\S+?(?=: )")
# Shorter values (a ticked box's "on", a digit) say nothing about a person; replacing them
# everywhere would shred the traceback around them.
PERSONAL_VALUE_MIN = 3

Span = tuple[int, int]


def redact_portal_paths(text: str) -> str:
    """`text` with every link token, and whatever follows /p/ in a portal path, replaced by
    [redacted], whether it was written plainly or percent-encoded."""
    return _redact(text, _token_spans)


def redact_personal_data(text: str, *, values: Iterable[str] = ()) -> str:
    """`text` with email addresses, gunicorn's client address and each of `values` (what a
    request carried: typed names, messages, client addresses) replaced by [redacted],
    whether written plainly or percent-encoded."""
    return _redact(text, _personal_spans(values))


def _token_spans(decoded: str) -> Iterator[Span]:
    if _RUN_OF_MIN_LENGTH in decoded.encode("ascii", "replace").translate(_RUN_TABLE):
        for match in _TOKEN_RUN.finditer(decoded):
            run = match.group()
            if run.lower() != run and run.upper() != run:
                yield match.span()
    if "/p/" in decoded or "/P/" in decoded:
        for match in _PORTAL_SEGMENT.finditer(decoded):
            yield match.span(1)
    if "%" in decoded and _ESCAPE.search(decoded):
        for match in _ESCAPED_TOKEN_RUN.finditer(decoded):
            if "%" in match.group():
                yield match.span()


def _personal_spans(values: Iterable[str]) -> Callable[[str], Iterator[Span]]:
    written = {
        form
        for value in values
        if len(value.strip()) >= PERSONAL_VALUE_MIN
        # Django escapes non-ASCII characters in the arguments of its request messages.
        for form in (value.strip(), value.strip().encode("unicode_escape").decode("ascii"))
    }
    pattern = (
        re.compile(
            r"(?<!\w)(?:"
            + "|".join(re.escape(value) for value in sorted(written, key=len, reverse=True))
            + r")(?!\w)"
        )
        if written
        else None
    )

    def spans(decoded: str) -> Iterator[Span]:
        if "@" in decoded:
            yield from (match.span() for match in _EMAIL.finditer(decoded))
        if "Invalid request from ip=" in decoded:
            yield from (match.span() for match in _GUNICORN_CLIENT.finditer(decoded))
        if pattern is not None:
            yield from (match.span() for match in pattern.finditer(decoded))

    return spans


def _redact(text: str, find_spans: Callable[[str], Iterable[Span]]) -> str:
    """Finds spans in the percent-decoded text and replaces the characters they came from."""
    decoded = _percent_decoded(text) if "%" in text else text
    spans = list(find_spans(decoded))
    if not spans:
        return text
    if decoded != text:
        starts = _decoded_starts(text)
        spans = [(starts[start], starts[end]) for start, end in spans]
    pieces: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if not pieces or start > done:  # else it overlaps or touches the span before
            pieces += [text[done:start], REDACTED]
        done = max(done, end)
    pieces.append(text[done:])
    return "".join(pieces)


def _unescaped(match: re.Match[str]) -> str:
    # One character per escape (its byte as Latin-1): only ASCII ever forms part of a token
    # or an address, so multi-byte UTF-8 sequences need not be joined.
    return chr(int(match.group()[1:], 16))


def _percent_decoded(text: str) -> str:
    """`text` percent-decoded up to MAX_DECODING_PASSES times."""
    for _ in range(MAX_DECODING_PASSES):
        text, escapes = _ESCAPE.subn(_unescaped, text)
        if not escapes:
            break
    return text


def _decoded_starts(text: str) -> list[int]:
    """Where each character of `_percent_decoded(text)` was written: decoded[i] came from
    text[starts[i]:starts[i + 1]]. Worked out only for a line that has something to redact."""
    decoded = text
    starts = list(range(len(text) + 1))
    for _ in range(MAX_DECODING_PASSES):
        pieces: list[str] = []
        pass_starts: list[int] = []
        done = 0
        for match in _ESCAPE.finditer(decoded):
            escape_start, escape_end = match.span()
            pieces += [decoded[done:escape_start], _unescaped(match)]
            pass_starts.extend(range(done, escape_start + 1))
            done = escape_end
        if not pieces:
            break
        pieces.append(decoded[done:])
        pass_starts.extend(range(done, len(decoded) + 1))
        starts = [starts[index] for index in pass_starts]
        decoded = "".join(pieces)
    return starts


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack with `redactor(record)` applied.
    Never drops a record, and leaves its message alone when nothing needed redacting."""

    def redactor(self, record: logging.LogRecord) -> Callable[[str], str]:
        raise NotImplementedError

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to report
            return True
        redact = self.redactor(record)
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # The formatter would render the traceback after this filter; rendered here (as
            # logging.Formatter does), it is redacted before any handler writes it.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactPortalTokens(_RedactingFilter):
    """Link tokens out of a record, in any form (SECURITY.md 7)."""

    def redactor(self, record: logging.LogRecord) -> Callable[[str], str]:
        return redact_portal_paths


class RedactPersonalData(_RedactingFilter):
    """Email addresses out of every record, and for a record about a request (Django's
    `django.request` and `django.security.*` attach it), the values the request carried and
    its client addresses (SECURITY.md 24)."""

    def redactor(self, record: logging.LogRecord) -> Callable[[str], str]:
        find_spans = _personal_spans(request_personal_values(record))
        return lambda text: _redact(text, find_spans)


def request_personal_values(record: logging.LogRecord) -> list[str]:
    """What the request behind `record` carried that may name a person: its form and query
    values and the client addresses."""
    request = getattr(record, "request", None)
    meta = getattr(request, "META", None)
    if not isinstance(meta, dict):  # no request, or the development server's socket
        return []
    values = [
        meta.get("REMOTE_ADDR", ""),
        meta.get("HTTP_X_REAL_IP", ""),
        *meta.get("HTTP_X_FORWARDED_FOR", "").split(","),
    ]
    # The form only if the application already read it: reading the body here could fail or
    # be slow, and a body nobody read cannot have reached a message.
    for query in (getattr(request, "_post", None), getattr(request, "GET", None)):
        if query is not None:
            values.extend(value for key in query for value in query.getlist(key))
    return [value for value in values if isinstance(value, str)]


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger with link tokens and personal data redacted from every line of the
    access log and the error log (request lines, Referers, "Invalid request from ip=...")."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # gunicorn's loggers are process-wide and setup runs again on every reload (HUP), on
        # handlers that may carry the filters already: each kind goes on each handler once.
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                present = {type(log_filter) for log_filter in handler.filters}
                for kind in (RedactPortalTokens, RedactPersonalData):
                    if kind not in present:
                        handler.addFilter(kind())
