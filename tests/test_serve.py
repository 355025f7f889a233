"""`ctoc-kg serve`: a real read-only endpoint (Oxigraph behind the checking front) answers the library like the
embedded engine, refuses updates, SERVICE, FROM <url> and LOAD, keeps its time limit, and stops its child."""
# ruff: noqa: F811 (the server fixtures are imported from tests/servers.py and used as parameters)

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from kg_build.sparql.client import Endpoint
from kg_build.sparql.guard import check
from kg_build.sparql.query import OxigraphEngine, RemoteEngine, data_files, library, run_query
from kg_build.sparql.serve import ROUTES, OxigraphChild, SparqlFront, build_app, load_store, text_answer
from kg_build.sparql.terms import parse_binding
from kg_build.sparql.values import with_values
from tests.conftest import QUERIES
from tests.servers import RecordingServer, network_canary, recorder, stop_pid  # noqa: F401 (fixtures)
from tests.test_query import refused_queries

pytestmark = pytest.mark.usefixtures("network_canary")
LIBRARY = library(QUERIES)


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    child_pid: int


def start_serve(dist: Path, log: Path, timeout: float = 2.0, options: Sequence[str] = ()) -> Served:
    """`ctoc-kg serve --port 0` as a child process; its URL and Oxigraph pid read from its first lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg_build.cli", "serve", "--dist", str(dist), "--port", "0", "--timeout", str(timeout),
         *options],
        stdout=subprocess.PIPE, stderr=log.open("wb"), stdin=subprocess.DEVNULL, text=True)
    first, second = process.stdout.readline(), process.stdout.readline()
    url = re.search(r"(http://127\.0\.0\.1:\d+/sparql)", first)
    pid = re.search(r"Oxigraph pid (\d+)", second)
    if not url or not pid:
        stop_pid(process)
        raise RuntimeError(f"serve did not start: {first!r} {second!r} {log.read_text()}")
    return Served(process, url.group(1), int(pid.group(1)))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def served(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = start_serve(built_dist, tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield server
    finally:
        stop_pid(server.process)
    assert not alive(server.child_pid), "the Oxigraph child outlived serve"


def post(url: str, data: bytes, content_type: str, accept: str = "application/sparql-results+json") -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def form(url: str, **fields: str) -> tuple[int, str]:
    return post(url, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")


@pytest.mark.parametrize("info", LIBRARY, ids=lambda i: i.name)
def test_library_through_serve_equals_embedded(served: Served, built_dist: Path, info) -> None:
    embedded = OxigraphEngine(data_files(built_dist))
    remote = RemoteEngine(Endpoint(served.url, retries=0))
    text = info.path.read_text(encoding="utf-8")
    bindings = dict(parse_binding(item) for item in info.example)
    assert run_query(remote, text, bindings).comparable() == run_query(embedded, text, bindings).comparable()


@dataclass(frozen=True)
class LibraryCase:
    """A library query as sent to an endpoint (bindings joined as VALUES), its form and its embedded answer."""

    name: str
    text: str
    form: str
    expected: object


def library_cases(dist: Path) -> list[LibraryCase]:
    """Every library query with its example bindings, answered by the embedded engine."""
    embedded = OxigraphEngine(data_files(dist))
    cases = []
    for info in LIBRARY:
        text = info.path.read_text(encoding="utf-8")
        bindings = dict(parse_binding(item) for item in info.example)
        checked = check(text)
        sent = with_values(text, bindings, checked.computed) if bindings else text
        cases.append(LibraryCase(info.name, sent, checked.form, run_query(embedded, text, bindings).comparable()))
    return cases


GUARD_THREADS = 32
DISTINCT_TEXTS = 8  # threads t and t+8 send the same texts: each text is parsed by the guard while others are


def test_guard_under_concurrent_library_queries(built_dist: Path, tmp_path: Path) -> None:
    """32 clients each send the whole library at once to a fresh server; every answer equals the embedded one.
    A comment per client group makes the texts differ, so the guard parses them concurrently (no cached verdict)."""
    cases = library_cases(built_dist)
    server = start_serve(built_dist, tmp_path / "serve.log", timeout=30)
    endpoint = Endpoint(server.url, retries=0, timeout=60)

    def client(number: int) -> list[str]:
        wrong = []
        for i in range(len(cases)):
            case = cases[(i + number) % len(cases)]
            text = f"{case.text}\n# client group {number % DISTINCT_TEXTS}\n"
            if endpoint.query(text, case.form).comparable() != case.expected:
                wrong.append(f"client {number}: {case.name}")
        return wrong

    try:
        started = time.monotonic()
        with ThreadPoolExecutor(GUARD_THREADS) as pool:
            wrong = [w for found in pool.map(client, range(GUARD_THREADS)) for w in found]
        seconds = time.monotonic() - started
    finally:
        stop_pid(server.process)
    print(f"\nguard under concurrency: {GUARD_THREADS} clients x {len(cases)} queries in {seconds:.1f} s")
    assert wrong == []


def test_protocol_get_form_and_direct_post(served: Served) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ctoc-kg/ontology#Paragraph> }"
    with urllib.request.urlopen(served.url + "?" + urllib.parse.urlencode({"query": query}), timeout=30) as r:
        by_get = r.read().decode("utf-8")
    assert form(served.url, query=query) == (200, by_get)
    assert post(served.url, query.encode(), "application/sparql-query") == (200, by_get)
    assert '"value":"43"' in by_get.replace(" ", "")  # the report has 43 numbered paragraphs
    status, csv_text = post(served.url, query.encode(), "application/sparql-query", accept="text/csv")
    assert status == 200 and csv_text.split() == ["n", "43"]


def test_serve_refuses_service_from_load(served: Served, recorder: RecordingServer) -> None:
    for query in refused_queries(recorder.url):
        status, message = form(served.url, query=query)
        assert status == 403 and "refused" in message, (query, status, message)
    assert recorder.requests == []


def test_serve_refuses_updates(served: Served) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = form(served.url, query=count)
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert form(served.url, update=update)[0] == 403
    assert post(served.url, update.encode(), "application/sparql-update")[0] == 403
    assert form(served.url, query=update)[0] == 403
    assert form(served.url, query="SELECT * WHERE {", )[0] == 400
    assert form(served.url, query="ASK {}", **{"default-graph-uri": "http://127.0.0.1:9/g"})[0] == 403
    assert form(served.url, query=count) == before


def test_oxigraph_alone_follows_service(built_dist: Path, tmp_path: Path, recorder: RecordingServer) -> None:
    """Positive control for the front: the bare Oxigraph server does call a SERVICE URL."""
    child = OxigraphChild(tmp_path / "store", timeout=5)
    load_store(data_files(built_dist), child.location)
    child.start()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
        post(f"{child.url}/query", query.encode(), "application/sparql-query")
    finally:
        child.stop()
    assert recorder.requests, "Oxigraph did not call the SERVICE URL: the guard's reason is gone"


def test_time_limit_answers_503_and_recovers(served: Served) -> None:
    started = time.monotonic()
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, message = form(served.url, query=heavy)
    assert status == 503 and "time limit" in message
    assert time.monotonic() - started < 2 + 2 + 5  # limit + grace + slack
    assert form(served.url, query="ASK {}")[0] == 200


def test_routes_table_and_site_hook(served: Served) -> None:
    """One route table; paths no route takes go to `site_handler` (the static site's hook)."""
    assert [route.path for route in ROUTES][:1] == ["/sparql"]

    async def site(front: SparqlFront, request: Request) -> Response:
        return text_answer(200, f"site {request.url.path}")

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        app = build_app(SparqlFront(child=None, site_handler=site))  # no lifespan: no engine needed
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://front") as client:
            return await client.get("/id/state/ECU"), await client.delete("/sparql")

    site_answer, delete = asyncio.run(ask())
    assert (site_answer.status_code, site_answer.content) == (200, b"site /id/state/ECU\n")
    assert delete.status_code == 405
    with urllib.request.urlopen(served.url.removesuffix("/sparql") + "/", timeout=10) as r:
        assert r.status == 200  # the site's home page when the build has a site, else a pointer to /sparql


def test_ctrl_c_stops_the_child(built_dist: Path, tmp_path: Path) -> None:
    server = start_serve(built_dist, tmp_path / "serve.log")
    assert alive(server.child_pid)
    os.kill(server.process.pid, signal.SIGINT)
    assert server.process.wait(timeout=30) == 0
    assert not alive(server.child_pid)
    assert "stopped" in (tmp_path / "serve.log").read_text()
