"""An SMTP server on 127.0.0.1 that can hang in DATA: it has the whole message but never
answers, as a mail server does when a worker dies waiting for its reply."""

from __future__ import annotations

import asyncio
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

STALL_LIMIT = 30.0  # seconds a stalled DATA waits before refusing, so nothing hangs for ever


class StallingInbox:
    """While `stalling` is set, DATA waits (and is finally refused with 451: never accepted);
    otherwise the message is accepted and kept in `messages`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.stalling = True
        self.in_data = threading.Event()
        self.release = threading.Event()
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stalling:
            self.in_data.set()
            waited = 0.0
            while not self.release.is_set() and waited < STALL_LIMIT:
                await asyncio.sleep(0.05)
                waited += 0.05
            return "451 Requested action aborted: try again later"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages
