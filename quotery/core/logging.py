"""Keeps portal link tokens out of every log (SECURITY.md 7).

A portal link is a capability: whoever reads it in a log can open the quote. Django logs
the path of every 4xx/5xx response ("Not Found: /p/<token>/"), the development server logs
each request line, and gunicorn's access log writes the request line too. All of them pass
through `redact_portal_paths` here:

- `RedactPortalTokens`, a logging filter set on the root handlers in settings.LOGGING, and
- `RedactingGunicornLogger`, gunicorn's `logger_class` in gunicorn.conf.py, for the access
  log (which gunicorn formats itself) and gunicorn's own error log.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

# Whatever follows /p/ up to the next separator, except the staff-only preview path
# (/p/preview/<id>/), which holds no secret. Malformed tokens are redacted too: a link
# with one character missing is still most of a secret.
PORTAL_PATH = re.compile(r"/p/(?!preview/)[^/\s?#\"']+")
REDACTED = "/p/[redacted]"


def redact_portal_paths(text: str) -> str:
    return PORTAL_PATH.sub(REDACTED, text)


class RedactPortalTokens(logging.Filter):
    """Rewrites a record's message with portal tokens removed. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to report
            return True
        if "/p/" in message:
            record.msg = redact_portal_paths(message)
            record.args = None
        return True


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger with portal tokens redacted from the access log and error log."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        # Every atom that can carry a path: the request line, the path, the referer, request
        # headers and environ variables (any of them may name the page).
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and "/p/" in value:
                atoms[key] = redact_portal_paths(value)
        return atoms

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        redactor = RedactPortalTokens()
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.addFilter(redactor)
