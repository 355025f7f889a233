"""`ctoc-kg serve`: a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1 over the built graph.

An Oxigraph server (`oxigraph serve-read-only`, kg_build/sparql/oxigraph_child.py) runs as a child process on
a private loopback port; in front of it a Starlette app under uvicorn, on the printed port, checks every query
with the guard (no SERVICE, no FROM <url>, no updates) before forwarding it, and streams the answer back
(kg_build/sparql/upstream.py). Routes live in one table (`ROUTES`); anything no route takes goes to
`site_handler`, the hook the static site plugs into (kg_build/sparql/siteroute.py).

Every client is held to `Limits` (kg_build/sparql/limits.py): queries at once (503 + Retry-After beyond),
body size (413), header, body and keep-alive timeouts, open connections, listen backlog. Malformed requests
get 400, never a 500 or a dropped connection. CORS lets any web page query the endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import shutil
import signal
import socket
import tempfile
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.types import ASGIApp, Message, Send

from kg_build.errors import UsageError
from kg_build.publish.site.conneg import negotiate
from kg_build.publish.store import STORE_DIR
from kg_build.sparql.guard import QueryRefused, check
from kg_build.sparql.limits import Limits, header_timeout_protocol
from kg_build.sparql.oxigraph_child import HOST, RESULTS_JSON, OxigraphChild, free_port, load_store, oxigraph_cli
from kg_build.sparql.protocol import BadRequest, sparql_params
from kg_build.sparql.query import BuildData
from kg_build.sparql.query_page import query_page
from kg_build.sparql.upstream import GRACE, Upstream, text_answer

__all__ = ["GRACE", "HOST", "ROUTES", "Limits", "OxigraphChild", "Route", "SparqlFront", "build_app", "free_port",
           "load_store", "oxigraph_cli", "serve", "text_answer"]

Handler = Callable[["SparqlFront", Request], Awaitable[Response]]
CORS_METHODS = ("GET", "POST", "HEAD", "OPTIONS")
CORS_HEADERS = ("Accept", "Content-Type", "Authorization")
VERDICTS_KEPT = 1024  # guard verdicts remembered by the query text's SHA-256


@dataclass(frozen=True)
class Route:
    """One entry of the route table: an exact path, the methods it takes (HEAD comes with GET), its handler."""

    path: str
    methods: frozenset[str]
    handler: Handler


async def sparql_route(front: SparqlFront, request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation: read strictly, check with the guard, forward, stream back."""
    try:
        params = await sparql_params(request, front.limits.max_body, front.limits.body_timeout)
    except BadRequest as err:
        return text_answer(err.status, str(err), {"Connection": "close"} if err.status in (408, 413) else None)
    if "update" in params:
        return text_answer(403, "updates are refused: this is a read-only endpoint")
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in params:
            return text_answer(403, f"{name} is refused: this endpoint serves the build's graph only")
    queries = params.get("query", [])
    if len(queries) != 1:
        if request.method in ("GET", "HEAD") and not queries:
            return no_query_answer(front, request)
        return text_answer(400, "send exactly one `query` parameter")
    refusal = await front.verdict(queries[0])
    if refusal is not None:
        return text_answer(*refusal)
    return await front.run_query(queries[0], request.headers.get("accept") or RESULTS_JSON)


def no_query_answer(front: SparqlFront, request: Request) -> Response:
    """/sparql without a query: the site's query editor (or a form) for a browser, one line for anything else."""
    if negotiate(request.headers.get("accept"), ("text/plain", "text/html")) == "text/html":
        return query_page(request.url.path, front.child.timeout, front.site_handler is not None)
    return text_answer(200, "SPARQL 1.1 query endpoint (read-only): send ?query=... by GET or POST")


async def index_route(front: SparqlFront, request: Request) -> Response:
    """The root: the site's home page when a site is served, else where the endpoint is."""
    if front.site_handler is not None:
        return await front.site_handler(front, request)
    return text_answer(200, f"ctoc-kg: the SPARQL endpoint is {front.base_url}/sparql")


# The route table: one place for every path the front answers; the site adds its routes here or through
# `site_handler` (called for any path no route takes).
ROUTES: list[Route] = [
    Route("/sparql", frozenset({"GET", "POST"}), sparql_route),
    Route("/", frozenset({"GET"}), index_route),
]


class SparqlFront:
    """What the app's handlers share: the child, the limits, the route table, the site hook, the query slots."""

    def __init__(self, child: OxigraphChild, limits: Limits | None = None, routes: Sequence[Route] | None = None,
                 site_handler: Handler | None = None) -> None:
        self.child = child
        self.limits = limits or Limits()
        self.routes = list(ROUTES if routes is None else routes)
        self.site_handler = site_handler
        self.port = 0
        self.upstream: Upstream | None = None  # created in the event loop (build_app's lifespan)
        self.slots = asyncio.Semaphore(self.limits.max_concurrent)
        self._verdicts: OrderedDict[bytes, tuple[int, str] | None] = OrderedDict()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def verdict(self, text: str) -> tuple[int, str] | None:
        """The guard's refusal (status, message) of a query, or None; parsed in a worker thread, remembered."""
        key = hashlib.sha256(text.encode("utf-8")).digest()
        if key in self._verdicts:
            self._verdicts.move_to_end(key)
            return self._verdicts[key]
        try:
            await run_in_threadpool(check, text, read_only=True, allow_service=False)
            found = None
        except QueryRefused as err:
            found = (err.status, str(err))
        self._verdicts[key] = found
        while len(self._verdicts) > VERDICTS_KEPT:
            self._verdicts.popitem(last=False)
        return found

    async def run_query(self, query: str, accept: str) -> Response:
        """Forward a checked query once a slot is free; 503 with Retry-After when none frees in time."""
        try:
            async with asyncio.timeout(self.limits.queue_timeout):
                await self.slots.acquire()
        except TimeoutError:
            return text_answer(503, f"busy: {self.limits.max_concurrent} queries running; try again",
                               {"Retry-After": str(self.limits.retry_after)})
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.slots.release()

        assert self.upstream is not None, "the app's lifespan creates the upstream client"
        try:
            return await self.upstream.forward(query, accept, release)
        except BaseException:
            release()
            raise


class AnyOriginCors(CORSMiddleware):
    """Starlette's CORS for any origin without credentials: `Access-Control-Allow-Origin: *` on every answer
    (the same for all origins, so no `Vary: Origin`), and preflight requests answered 204 No Content."""

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code != 200:
            return answer
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-type")}
        return Response(status_code=204, headers=headers)

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            MutableHeaders(scope=message).update(self.simple_headers)
        await send(message)


def build_app(front: SparqlFront, ready: Callable[[SparqlFront], None] | None = None) -> Starlette:
    """The Starlette app: the route table, then the site hook for every other path, behind CORS."""

    def bind(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(front, request)
        return endpoint

    async def site(request: Request) -> Response:
        if front.site_handler is None:
            return text_answer(404, f"nothing at {request.url.path}; the SPARQL endpoint is /sparql")
        return await front.site_handler(front, request)

    @contextlib.asynccontextmanager
    async def lifespan(app: ASGIApp) -> AsyncIterator[None]:
        front.upstream = Upstream(front.child, front.limits.max_concurrent)
        if ready is not None:
            ready(front)
        try:
            yield
        finally:
            await front.upstream.aclose()

    routes = [StarletteRoute(r.path, bind(r.handler), methods=sorted(r.methods)) for r in front.routes]
    routes.append(StarletteRoute("/{path:path}", site, methods=["GET"]))  # other methods: 405
    cors = Middleware(AnyOriginCors, allow_origins=["*"], allow_methods=list(CORS_METHODS),
                      allow_headers=list(CORS_HEADERS), max_age=600)
    return Starlette(routes=routes, middleware=[cors], lifespan=lifespan)


def listening_socket(port: int, backlog: int) -> socket.socket:
    """A TCP socket bound to 127.0.0.1:`port` (0: a free one) and listening, so clients queue from now on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(backlog)
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot serve on {HOST}:{port}: {err.strerror or err}") from None
    return sock


def log_config() -> dict:
    """uvicorn's logging with the access log on stderr too: stdout carries only the startup lines, which
    scripts read and then may never drain (a full pipe would block the server)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config


def uvicorn_config(app: Starlette, limits: Limits) -> uvicorn.Config:
    """uvicorn (h11, one process) with the limits: connections, backlog, header/keep-alive timeouts."""
    return uvicorn.Config(
        app, http=header_timeout_protocol(limits.header_timeout), lifespan="on", workers=1,
        limit_concurrency=limits.max_connections, backlog=limits.backlog, timeout_keep_alive=limits.keep_alive,
        h11_max_incomplete_event_size=limits.max_header_bytes, timeout_graceful_shutdown=3,
        server_header=False, proxy_headers=False, log_level="info", log_config=log_config(), use_colors=False)


def serve(files: BuildData | Sequence[Path], port: int, timeout: float, ready: Callable[[SparqlFront], None],
          site_handler: Handler | None = None, limits: Limits | None = None) -> None:
    """Serve a build: the child reads the build's own store when it has one (read-only, its default graph the
    union of asserted and inferred triples), else `files` loaded into a temporary store. Start the child and the
    front, call `ready`, serve until interrupted (Ctrl-C or SIGTERM); always stop the child by pid and remove
    the temporary folder."""
    limits = limits or Limits()
    data = files if isinstance(files, BuildData) else BuildData(tuple(files))
    workdir = Path(tempfile.mkdtemp(prefix="ctoc-kg-serve-"))
    own = data.store is not None
    location = data.store / STORE_DIR if data.store is not None else workdir / "store"
    child = OxigraphChild(location, timeout=timeout, log=workdir / "oxigraph.log", union=own)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    sock: socket.socket | None = None
    try:
        sock = listening_socket(port, limits.backlog)
        if not own:
            load_store(data.files, child.location)
        child.start()
        front = SparqlFront(child, limits, site_handler=site_handler)
        front.port = int(sock.getsockname()[1])
        uvicorn.Server(uvicorn_config(build_app(front, ready), limits)).run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        if sock is not None:
            sock.close()
        child.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _raise_interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends `serve` like Ctrl-C does, through the same cleanup."""
    raise KeyboardInterrupt
