"""The limits `ctoc-kg serve` holds every client to (one dataclass, defaults = the CLI's), and the uvicorn
HTTP protocol that adds the one timeout uvicorn lacks: a client must finish its request headers in time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class Limits:
    """Per-server limits; each has a `ctoc-kg serve` option (kg_build/cli/serve.py) and a line in SECURITY.md."""

    max_concurrent: int = 8  # queries running on the engine at once (an asyncio.Semaphore)
    queue_timeout: float = 10.0  # seconds a query waits for a free slot before 503 + Retry-After
    max_body: int = 1 << 20  # bytes of a request body (413 beyond)
    max_connections: int = 512  # open connections; uvicorn answers 503 beyond
    header_timeout: float = 5.0  # seconds from connection (or previous answer) to complete request headers
    body_timeout: float = 10.0  # seconds to receive a request body whole (408 beyond)
    keep_alive: int = 5  # seconds an idle keep-alive connection stays open
    backlog: int = 2048  # pending connections the kernel queues (capped by net.core.somaxconn)
    max_header_bytes: int = 16 * 1024  # request line + headers (h11 answers 400 beyond)
    retry_after: int = 1  # seconds, in the Retry-After header of a 503


def header_timeout_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline for request headers: a client still sending them after
    `seconds` (slow-header, or idle after connecting) is disconnected, so it cannot hold a connection."""

    class HeaderTimeoutProtocol(H11Protocol):
        header_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self.header_deadline is not None:
                self.header_deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self.header_deadline is not None:
                self.header_deadline.cancel()
            self.header_deadline = self.loop.call_later(seconds, self._expire)

        def _expire(self) -> None:
            """Close the connection when the client has not completed a request's headers."""
            self.header_deadline = None
            if self.conn.their_state in (h11.IDLE, h11.DONE) and (self.cycle is None or self.cycle.response_complete):
                if not self.transport.is_closing():
                    self.transport.close()

    return HeaderTimeoutProtocol
