"""Ports and mail servers on 127.0.0.1 for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any


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


@dataclass(frozen=True)
class Delivery:
    """One accepted message as it went over the wire: the SMTP envelope and the raw bytes."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes


class SmtpInbox:
    """What a real SMTP server (aiosmtpd) received: parsed messages, and each delivery's
    envelope and bytes."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.deliveries: list[Delivery] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        delivery = Delivery(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            content=bytes(envelope.original_content or envelope.content),
        )
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.deliveries.append(delivery)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages
