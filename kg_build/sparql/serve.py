"""`ctoc-kg serve`: a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1 over the built graph.

An Oxigraph server (`oxigraph serve-read-only`, PyPI package `oxigraph`) runs as a child process on a
private loopback port; in front of it a small Python HTTP server on the printed port checks every query
with sparql_guard (no SERVICE, no FROM <url>, no updates) before forwarding it. Routes live in one table
(`ROUTES`), and anything no route takes goes to `site_handler`, the hook the static site plugs into.

Query time limit: the child runs with `--timeout-s S`, so Oxigraph abandons a query after S seconds (it has
already sent 200 and then appends a "cancelled" line: the front turns that into 503); if the child still
has not answered after S + GRACE seconds, the front answers 503 and restarts the child (by pid), so a
runaway query never keeps a core busy. Requests in flight on the old child also get 503.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg_build.errors import UsageError
from kg_build.sparql.guard import QueryRefused, check

HOST = "127.0.0.1"
GRACE = 2.0  # seconds the front waits beyond the child's own query time limit
MAX_BODY = 1 << 20  # bytes of a POSTed query
RESULTS_JSON = "application/sparql-results+json"
CANCELLED = b"The SPARQL operation has been cancelled"  # what Oxigraph appends when --timeout-s stops a query


def oxigraph_cli() -> str:
    """Path of the `oxigraph` command installed with the PyPI package (beside this Python first)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise UsageError("the `oxigraph` command is not installed (pip install oxigraph)")
    return found


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def load_store(files: Sequence[Path], location: Path) -> None:
    """Load N-Triples files into an Oxigraph store folder with `oxigraph load` (atomic, then closed)."""
    cmd = [oxigraph_cli(), "load", "--location", str(location)]
    for path in files:
        cmd += ["--file", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"oxigraph load failed: {' '.join(done.stderr.split())[:300]}")


@dataclass
class OxigraphChild:
    """`oxigraph serve-read-only` on a private loopback port, started, health-checked and stopped by pid."""

    location: Path
    timeout: float
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, wait: float = 20.0) -> None:
        """Start the child and wait until it answers `ASK {}`."""
        self.port = free_port()
        self.log = self.location.parent / "oxigraph.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [oxigraph_cli(), "serve-read-only", "--location", str(self.location), "--bind", f"{HOST}:{self.port}",
                 "--timeout-s", str(max(1, round(self.timeout)))],
                stdout=log, stderr=log, stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-300:]
                code = self.process.returncode
                raise UsageError(f"oxigraph serve-read-only exited with {code}: {' '.join(tail.split())}")
            if self.healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise UsageError(f"oxigraph serve-read-only did not answer on {self.url} within {wait:.0f} s")

    def healthy(self) -> bool:
        """True when the child answers a trivial query."""
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            conn.request("GET", "/query?query=" + urllib.parse.quote("ASK {}"), headers={"Accept": RESULTS_JSON})
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the child by its pid: SIGTERM, then SIGKILL after 5 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Request:
    """An HTTP request as a route handler sees it."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    """What a route handler answers."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def text_response(status: int, message: str) -> Response:
    """A one-line plain-text answer."""
    return Response(status, (message.rstrip("\n") + "\n").encode("utf-8"))


Handler = Callable[["SparqlFront", Request], Response]


@dataclass(frozen=True)
class Route:
    """One entry of the route table: a path (exact, or a prefix when it ends with '/'), methods, handler."""

    path: str
    methods: frozenset[str]
    handler: Handler

    def matches(self, path: str) -> bool:
        return path == self.path or (self.path.endswith("/") and self.path != "/" and path.startswith(self.path))


def _sparql_params(request: Request) -> dict[str, list[str]] | Response:
    """The protocol parameters of a query request (GET, POST form, or POST direct), or an error response."""
    params = dict(request.params)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif content_type == "application/sparql-query":
            params["query"] = [request.body.decode("utf-8")]
        elif content_type == "application/sparql-update":
            return text_response(403, "updates are refused: this is a read-only endpoint")
        else:
            return text_response(415, f"unsupported Content-Type {content_type!r}: send a form or a sparql-query")
    return params


def sparql_route(front: SparqlFront, request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation: check with the guard, then forward to the Oxigraph child."""
    params = _sparql_params(request)
    if isinstance(params, Response):
        return params
    if "update" in params:
        return text_response(403, "updates are refused: this is a read-only endpoint")
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in params:
            return text_response(403, f"{name} is refused: this endpoint serves the build's graph only")
    queries = params.get("query", [])
    if len(queries) != 1:
        if request.method == "GET" and not queries:
            return text_response(200, "SPARQL 1.1 query endpoint (read-only): send ?query=... by GET or POST")
        return text_response(400, "send exactly one `query` parameter")
    try:
        checked = check(queries[0], read_only=True, allow_service=False)
    except QueryRefused as err:
        return text_response(err.status, str(err))
    return front.forward(checked.text, request.headers.get("accept") or RESULTS_JSON)


def index_route(front: SparqlFront, request: Request) -> Response:
    """The root: the site's home page when a site is served, else where the endpoint is."""
    if front.site_handler is not None:
        return front.site_handler(front, request)
    return text_response(200, f"ctoc-kg: the SPARQL endpoint is {front.base_url}/sparql")


# The route table: one place for every path the front answers; the site adds its routes here or through
# `site_handler` (called for any path no route takes).
ROUTES: list[Route] = [
    Route("/sparql", frozenset({"GET", "POST"}), sparql_route),
    Route("/", frozenset({"GET", "HEAD"}), index_route),
]


class SparqlFront(ThreadingHTTPServer):
    """The HTTP front on 127.0.0.1: dispatches through the route table; forwards checked queries."""

    daemon_threads = True

    def __init__(self, port: int, child: OxigraphChild, routes: Sequence[Route] | None = None,
                 site_handler: Handler | None = None) -> None:
        super().__init__((HOST, port), _RequestHandler)
        self.child = child
        self.routes = list(ROUTES if routes is None else routes)
        self.site_handler = site_handler
        self._restart_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    def dispatch(self, request: Request) -> Response:
        """The first route whose path and method match, else the site hook, else 404/405."""
        for route in self.routes:
            if route.matches(request.path):
                if request.method not in route.methods:
                    return text_response(405, f"{request.method} is not allowed on {request.path}")
                return route.handler(self, request)
        if self.site_handler is not None:
            return self.site_handler(self, request)
        return text_response(404, f"nothing at {request.path}; the SPARQL endpoint is /sparql")

    def forward(self, query: str, accept: str) -> Response:
        """POST a checked query to the child; 503 (and a child restart) once the time limit has passed."""
        process = self.child.process
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, self.child.port, timeout=self.child.timeout + GRACE)
            conn.request("POST", "/query", body=query.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept})
            answer = conn.getresponse()
            body = answer.read()
            conn.close()
        except http.client.IncompleteRead:
            return text_response(503, "the query engine broke off its answer; try again")
        except TimeoutError:
            self._restart(process)
            return text_response(503, f"query time limit of {self.child.timeout:g} s exceeded; engine restarted")
        except OSError:
            self._restart(process)
            return text_response(503, "the query engine was restarted; try again")
        if time.monotonic() - started >= self.child.timeout and body.rstrip().endswith(CANCELLED):
            # Oxigraph streams: it has sent 200 before its own time limit cancels the query mid-answer.
            return text_response(503, f"query time limit of {self.child.timeout:g} s exceeded")
        content_type = answer.getheader("Content-Type", "application/octet-stream")
        return Response(answer.status, body, content_type)

    def _restart(self, process: subprocess.Popen | None) -> None:
        """Restart the child unless another thread already did (the child object is shared)."""
        with self._restart_lock:
            if self.child.process is process:
                self.child.stop()
                self.child.start()


class _RequestHandler(BaseHTTPRequestHandler):
    """Turns http.server calls into Request objects for the front's route table."""

    server: SparqlFront
    server_version = "ctoc-kg"

    def _handle(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(text_response(413, f"request body over {MAX_BODY} bytes"))
            return
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True),
                          {k.lower(): v for k, v in self.headers.items()}, body)
        try:
            response = self.server.dispatch(request)
        except Exception as err:  # noqa: BLE001 (one bad request must not stop the server)
            response = text_response(500, f"internal error: {type(err).__name__}: {err}")
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def serve(files: Sequence[Path], port: int, timeout: float, ready: Callable[[SparqlFront], None],
          site_handler: Handler | None = None) -> None:
    """Load `files` into a temporary store, start the child and the front, call `ready`, serve until
    interrupted (Ctrl-C or SIGTERM); always stop the child by pid and remove the store."""
    workdir = Path(tempfile.mkdtemp(prefix="ctoc-kg-serve-"))
    child = OxigraphChild(workdir / "store", timeout=timeout)
    front: SparqlFront | None = None
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    try:
        load_store(files, child.location)
        child.start()
        front = SparqlFront(port, child, site_handler=site_handler)
        ready(front)
        front.serve_forever()
    except OSError as err:
        raise UsageError(f"cannot serve on {HOST}:{port}: {err.strerror or err}") from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        if front is not None:
            front.server_close()
        child.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _raise_interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends `serve` like Ctrl-C does, through the same cleanup."""
    raise KeyboardInterrupt
