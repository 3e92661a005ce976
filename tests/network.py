"""Ports and mail servers on 127.0.0.1 for tests and benchmarks."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nobody listens on right now (the socket that found it is closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_mailers(port: int, *, timeout: float = 5) -> dict[str, object]:
    """A MAILERS setting whose default mailer is SMTP on 127.0.0.1:`port`."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }
