"""gunicorn's sync worker, stopping without dropping a connection it was already handed.

On SIGTERM gunicorn's own sync worker finishes its current request and exits, and the
connections still queued on the listening socket (the kernel accepted them, no worker read
them yet) are reset when the last worker closes that socket: behind nginx, every POST queued
there becomes a 502. This worker, on SIGTERM, at once takes every queued connection and closes
its copy of the listening socket; when every worker has done so, the socket stops listening,
so new connections are refused (nginx then sends them to another instance, POSTs included,
since nothing was sent) instead of being queued and reset. It then answers the current
request and the connections it took, and exits.

`worker_class` in gunicorn.conf.py names it. The answers must fit in `graceful_timeout`.
"""

from __future__ import annotations

import socket
from types import FrameType
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import StopWaiting, SyncWorker


class ClosedListener:
    """Stands for a closed listening socket where gunicorn asks for its address."""

    def __init__(self, address: Any) -> None:
        self.address = address

    def getsockname(self) -> Any:
        return self.address


class DrainingSyncWorker(SyncWorker):
    taken: list[tuple[ClosedListener, socket.socket, Any]]

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """SIGTERM, even in the middle of a request: take the queued connections, close."""
        self.alive = False
        if not hasattr(self, "taken"):
            self.taken = []
        for listener in self.sockets:
            # A second SIGTERM (a process manager signalling the whole group, then the
            # arbiter passing its own on) finds the listeners closed: gunicorn's socket
            # wrapper has let go of its socket (AttributeError), or the socket is shut.
            try:
                address = listener.getsockname()
            except (OSError, AttributeError):
                continue
            # The listeners are non-blocking in the worker: accept() ends when none is queued.
            while True:
                try:
                    client, client_address = listener.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    break
                self.taken.append((ClosedListener(address), client, client_address))
            listener.close()

    def accept(self, listener: Any) -> None:
        try:
            super().accept(listener)
        except OSError as error:
            if self.alive:
                raise
            # The listener was closed by handle_exit between the loop's check and accept().
            raise BlockingIOError from error

    def wait(self, timeout: float) -> Any:
        if not self.alive:
            raise StopWaiting
        try:
            return super().wait(timeout)
        except ValueError as error:  # select() on a listener closed by handle_exit
            raise StopWaiting from error

    def run(self) -> None:
        super().run()
        taken, self.taken = getattr(self, "taken", []), []
        if taken:
            self.log.info("Answering %d connections taken from the queue at stop.", len(taken))
        for listener, client, client_address in taken:
            client.setblocking(True)
            util.close_on_exec(client)
            self.notify()
            self.handle(listener, client, client_address)
