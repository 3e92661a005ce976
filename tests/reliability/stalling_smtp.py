"""An SMTP server on 127.0.0.1 that can hang in DATA: it has the whole message but never
answers, as a mail server does when a worker dies waiting for its reply."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from tests.network import SmtpInbox

STALL_LIMIT = 30.0  # seconds a stalled DATA waits before refusing, so nothing hangs for ever


class StallingInbox(SmtpInbox):
    """While `stalling` is set, DATA waits (and is finally refused with 451: never accepted);
    otherwise the message is accepted and kept in `messages`."""

    def __init__(self) -> None:
        super().__init__()
        self.stalling = True
        self.in_data = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stalling:
            self.in_data.set()
            waited = 0.0
            while not self.release.is_set() and waited < STALL_LIMIT:
                await asyncio.sleep(0.05)
                waited += 0.05
            return "451 Requested action aborted: try again later"
        return await super().handle_DATA(server, session, envelope)
