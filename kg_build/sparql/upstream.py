"""Forwarding a checked query to the Oxigraph child and streaming its answer to the client (httpx, async):
memory per request stays at about one prefetch buffer whatever the result size.

Oxigraph streams: it sends 200 at once, and when its `--timeout-s` stops a query it appends a "cancelled"
line. The front holds back the first PREFETCH bytes, so a short answer that ends cancelled becomes a 503;
a long one already under way is cut off (the connection closes before the end of the chunked body, so no
client mistakes it for a whole result). An engine silent beyond the limit plus GRACE seconds is restarted
(by pid) and the request gets 503.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from kg_build.sparql.oxigraph_child import OxigraphChild

GRACE = 2.0  # seconds the front waits beyond the child's own query time limit
PREFETCH = 64 * 1024  # bytes held back before the status is committed
CHUNK = 64 * 1024  # bytes relayed per write: the engine's small chunks coalesced
CANCELLED = b"The SPARQL operation has been cancelled"  # what Oxigraph appends when --timeout-s stops a query
LOG = logging.getLogger("ctoc-kg.serve")


class EngineBrokeOff(Exception):
    """The engine's answer ended badly after the 200 was sent: the client's connection is cut."""


def text_answer(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A one-line plain-text answer."""
    return Response(message.rstrip("\n") + "\n", status, headers, media_type="text/plain")


class RelayedAnswer(StreamingResponse):
    """The child's answer relayed chunk by chunk; `close` (the upstream response, the query slot) always runs.
    When the answer breaks off, the response is left unfinished and uvicorn closes the connection."""

    def __init__(self, chunks: AsyncIterator[bytes], status: int, media_type: str, deadline: float,
                 close: Callable[[], object]) -> None:
        super().__init__(chunks, status, media_type=media_type)
        self.deadline = deadline
        self.close = close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with asyncio.timeout(self.deadline):
                await super().__call__(scope, receive, send)
        except (EngineBrokeOff, TimeoutError) as err:
            LOG.warning("answer cut off: %s", err or f"not delivered within {self.deadline:g} s")
        finally:
            await self.close()


class Upstream:
    """The async HTTP client to the child, and the child's restart (once, however many requests notice)."""

    def __init__(self, child: OxigraphChild, max_connections: int) -> None:
        self.child = child
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(child.timeout + GRACE, connect=5.0),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            follow_redirects=False, trust_env=False)
        self._restart_lock = asyncio.Lock()
        self.closed = False

    async def aclose(self) -> None:
        """Stop restarting the child (the server is stopping) and close the client, after any restart under way."""
        self.closed = True
        async with self._restart_lock:
            await self.client.aclose()

    async def forward(self, query: str, accept: str, release: Callable[[], None]) -> Response:
        """POST a checked query to the child and relay its answer; `release` frees the caller's query slot
        once the answer is sent (or failed)."""
        process = self.child.process
        started = time.monotonic()
        request = self.client.build_request(
            "POST", f"{self.child.url}/query", content=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept})
        answer: httpx.Response | None = None
        try:
            answer = await self.client.send(request, stream=True)
            chunks = answer.aiter_raw(CHUNK)
            head, ended = await _prefetch(chunks)
        except httpx.RemoteProtocolError:
            await _close(answer, release)
            return text_answer(503, "the query engine broke off its answer; try again")
        except httpx.TimeoutException:
            await _close(answer, release)
            await self.restart(process)
            return text_answer(503, f"query time limit of {self.child.timeout:g} s exceeded; engine restarted")
        except httpx.TransportError:
            await _close(answer, release)
            await self.restart(process)
            return text_answer(503, "the query engine was restarted; try again")
        media_type = answer.headers.get("content-type", "application/octet-stream")
        if ended:
            await _close(answer, release)
            if time.monotonic() - started >= self.child.timeout and head.rstrip().endswith(CANCELLED):
                return text_answer(503, f"query time limit of {self.child.timeout:g} s exceeded")
            return Response(head, answer.status_code, media_type=media_type)
        deadline = self.child.timeout + GRACE - (time.monotonic() - started)
        return RelayedAnswer(self._relay(head, chunks, process), answer.status_code, media_type,
                             max(deadline, 1.0), lambda: _close(answer, release))

    async def _relay(self, head: bytes, chunks: AsyncIterator[bytes], process: object) -> AsyncIterator[bytes]:
        """The held-back head, then the rest as it comes; a cancelled or broken tail raises EngineBrokeOff."""
        yield head
        tail = head[-len(CANCELLED) - 8:]
        try:
            async for chunk in chunks:
                tail = (tail + chunk)[-len(CANCELLED) - 8:]
                yield chunk
        except httpx.TimeoutException:
            await self.restart(process)
            raise EngineBrokeOff("the engine fell silent; engine restarted") from None
        except httpx.TransportError as err:
            raise EngineBrokeOff(f"the engine broke off: {type(err).__name__}") from None
        if tail.rstrip().endswith(CANCELLED):
            raise EngineBrokeOff(f"query time limit of {self.child.timeout:g} s exceeded")

    async def restart(self, process: object) -> None:
        """Restart the child unless another request already did (by pid: stop, then start a new one)."""
        async with self._restart_lock:
            if self.child.process is process and not self.closed:
                await run_in_threadpool(self.child.stop)
                await run_in_threadpool(self.child.start)


async def _prefetch(chunks: AsyncIterator[bytes]) -> tuple[bytes, bool]:
    """Up to PREFETCH bytes of the answer, and whether that was all of it."""
    held = bytearray()
    async for chunk in chunks:
        held += chunk
        if len(held) >= PREFETCH:
            return bytes(held), False
    return bytes(held), True


async def _close(answer: httpx.Response | None, release: Callable[[], None]) -> None:
    """Close the upstream answer (its connection goes back to the pool) and free the query slot, once."""
    try:
        if answer is not None:
            await answer.aclose()
    finally:
        release()
