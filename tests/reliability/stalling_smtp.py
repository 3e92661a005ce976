"""An SMTP server on 127.0.0.1 that can hang at one step of a delivery, as a mail server
does when a worker dies waiting for its reply:

- in DATA: it has the whole message but never answers (the message is never accepted);
- in QUIT: it has answered 250 to the end of DATA (the message is accepted and kept), and
  the client, which only sends QUIT once it has read that 250, waits for the goodbye. The
  worker then knows the mail went out but has not yet written that down.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Literal

from tests.network import SmtpInbox

STALL_LIMIT = 30.0  # seconds a stall lasts at most, so nothing hangs for ever


class StallingInbox(SmtpInbox):
    """While `stalling` is set, the server hangs in `stall_in` (DATA by default) until
    `release` is set or STALL_LIMIT passes, and `stalled` is set while it hangs. A stalled
    DATA is finally refused with 451 (never accepted); a stalled QUIT finally says goodbye.
    Otherwise every message is accepted and kept in `messages` and `deliveries`."""

    def __init__(self, *, stall_in: Literal["DATA", "QUIT"] = "DATA") -> None:
        super().__init__()
        self.stall_in = stall_in
        self.stalling = True
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def _stall(self) -> None:
        self.stalled.set()
        waited = 0.0
        while not self.release.is_set() and waited < STALL_LIMIT:
            await asyncio.sleep(0.05)
            waited += 0.05

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stalling and self.stall_in == "DATA":
            await self._stall()
            return "451 Requested action aborted: try again later"
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stalling and self.stall_in == "QUIT":
            await self._stall()
        return "221 Bye"
