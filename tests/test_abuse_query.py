"""Abuse of `ctoc-kg query` and `push` (issue 12): runaway embedded queries stop at --timeout and stay within
memory while streaming, every failure is one printable line with exit code 2, hostile servers cannot write
terminal escapes to the user, and the guard reads queries the way pyoxigraph does."""
# ruff: noqa: F811 (the server fixtures are imported from tests/servers.py and used as parameters)

from __future__ import annotations

import csv
import io
import json
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_build.cli import main
from kg_build.errors import UsageError
from kg_build.sparql.guard import QueryRefused, check
from kg_build.sparql.printable import printable
from tests.conftest import QUERIES, ROOT
from tests.servers import RecordingServer, free_port, network_canary, recorder  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("network_canary")

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 7,644^3 rows on the seed build: never finishes
SORTED_CROSS = CROSS + " ORDER BY ?a ?i"  # must hold every row before the first: memory grows without bound
ADDRESS_SPACE_MB = 1200  # the seed build and the engine (its store read-only) fit; the old buffered answer did not


def query_file(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cli(args: list[str], stdout: int | io.IOBase = subprocess.PIPE, address_space_mb: int | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """`ctoc-kg ARGS` in a fresh interpreter, optionally under an RLIMIT_AS (applied before exec)."""
    def limit() -> None:
        if address_space_mb is not None:
            size = address_space_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return subprocess.run([sys.executable, "-m", "kg_build.cli", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, preexec_fn=limit, timeout=timeout, cwd=ROOT, check=False)


def one_line(err: str) -> str:
    """The single line of stderr; fails on tracebacks and multi-line noise."""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# --- time and memory limits of embedded queries -----------------------------------------------------------

@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_timeout_stops_an_embedded_query(built_dist: Path, tmp_path: Path, engine: str) -> None:
    """--timeout without --endpoint used to be ignored: the cross product ran until killed."""
    path = query_file(tmp_path, CROSS)
    started = time.monotonic()
    done = cli(["query", str(path), "--dist", str(built_dist), "--engine", engine, "--timeout", "2",
                "--format", "csv"], stdout=subprocess.DEVNULL, timeout=90)
    assert done.returncode == 2
    assert one_line(done.stderr) == "ctoc-kg: query time limit of 2 s exceeded\n"
    assert time.monotonic() - started < 60  # 2 s of query after loading, even on a busy machine


def test_streaming_a_cross_product_stays_within_an_address_space_limit(built_dist: Path, tmp_path: Path) -> None:
    """SELECT * over a cross product, to a file, under a 600 MB RLIMIT_AS: rows are written as pyoxigraph yields
    them (tens of MB in 4 s) until the time limit; the old code buffered every row and died of MemoryError."""
    path = query_file(tmp_path, CROSS)
    out = tmp_path / "rows.csv"
    with out.open("w") as handle:
        done = cli(["query", str(path), "--dist", str(built_dist), "--timeout", "4", "--format", "csv"],
                   stdout=handle, address_space_mb=ADDRESS_SPACE_MB, timeout=90)
    assert one_line(done.stderr) == "ctoc-kg: query time limit of 4 s exceeded\n" and done.returncode == 2
    assert out.stat().st_size > 5_000_000
    with out.open(newline="") as handle:
        header = next(csv.reader(handle))
    assert header == list("abcdefghi")


def test_memory_limit_stops_a_query_that_must_hold_its_rows(built_dist: Path, tmp_path: Path) -> None:
    """ORDER BY over the cross product needs every row in memory: --max-memory stops it with one line."""
    path = query_file(tmp_path, SORTED_CROSS)
    done = cli(["query", str(path), "--dist", str(built_dist), "--max-memory", "200", "--timeout", "60",
                "--format", "csv"], stdout=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 2
    assert one_line(done.stderr).startswith("ctoc-kg: query memory limit of 200 MB exceeded")


def test_table_output_is_capped_with_a_note(built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The table buffers what it shows: 1000 rows by default, then a note; the query stops there."""
    path = query_file(tmp_path, CROSS)
    assert main(["query", str(path), "--dist", str(built_dist), "--timeout", "60"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 1000 + 1
    assert lines[-1] == "(1000 rows; only the first 1000 shown: use --limit N, or --format csv, tsv or json)"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_limit_caps_streamed_formats(built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                     fmt: str) -> None:
    path = query_file(tmp_path, CROSS)
    assert main(["query", str(path), "--dist", str(built_dist), "--format", fmt, "--limit", "3"]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        assert len(json.loads(out)["results"]["bindings"]) == 3
    else:
        assert len(out.splitlines()) == 4


def test_streamed_formats_equal_the_buffered_ones(built_dist: Path, capsys: pytest.CaptureFixture) -> None:
    """Streaming changed how rows are written, not what: CSV of a library query equals its expected file."""
    expected = (QUERIES / "expected" / "examples" / "unit_at_line.csv").read_text(encoding="utf-8")
    assert main(["query", "unit_at_line", "--dist", str(built_dist), "--format", "csv", "--bind", "line=134",
                 "--queries", str(QUERIES)]) == 0
    out = capsys.readouterr().out
    assert list(csv.reader(io.StringIO(out))) == list(csv.reader(io.StringIO(expected)))


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_meaningless_timeout_is_refused(built_dist: Path, capsys: pytest.CaptureFixture, value: str) -> None:
    assert main(["query", "units_per_kind", "--dist", str(built_dist), "--timeout", value,
                 "--queries", str(QUERIES)]) == 2
    assert "--timeout" in one_line(capsys.readouterr().err)


# --- every error is one line ------------------------------------------------------------------------------

def test_rdflib_graph_clause_is_one_line(built_dist: Path, tmp_path: Path, recorder: RecordingServer,
                                         capsys: pytest.CaptureFixture) -> None:
    path = query_file(tmp_path, f"SELECT * WHERE {{ GRAPH <{recorder.url}> {{ ?s ?p ?o }} }}")
    assert main(["query", str(path), "--dist", str(built_dist), "--engine", "rdflib"]) == 2
    assert "rdflib: query failed" in one_line(capsys.readouterr().err)
    assert main(["query", str(path), "--dist", str(built_dist)]) == 0  # pyoxigraph: no named graphs, no rows
    assert capsys.readouterr().out.splitlines()[-1] == "(0 rows)"
    assert recorder.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_failing_service_is_one_line(built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                     engine: str) -> None:
    """--allow-service towards a port nobody listens on: one line naming the engine, exit 2."""
    path = query_file(tmp_path, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?s ?p ?o }} }}")
    assert main(["query", str(path), "--dist", str(built_dist), "--engine", engine, "--allow-service"]) == 2
    err = one_line(capsys.readouterr().err)
    assert err.startswith(f"ctoc-kg: {'pyoxigraph' if engine == 'oxigraph' else 'rdflib'}: query failed")


@pytest.mark.parametrize("binding", ["line=", "line=134 ", "line= 134", "line=\t134", "line=<urn:a> "])
def test_empty_or_padded_bind_values_are_refused(built_dist: Path, capsys: pytest.CaptureFixture,
                                                 binding: str) -> None:
    """They used to give 0 rows silently; a quoted value keeps its spaces on purpose."""
    assert main(["query", "unit_at_line", "--dist", str(built_dist), "--bind", binding,
                 "--queries", str(QUERIES)]) == 2
    assert "--bind line=" in one_line(capsys.readouterr().err)


def test_quoted_padded_bind_value_is_a_literal(built_dist: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "unit_at_line", "--dist", str(built_dist), "--bind", 'line=" 134"',
                 "--queries", str(QUERIES)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "(0 rows)"


# --- hostile servers ----------------------------------------------------------------------------------------

ESCAPES = b"\x1b]0;owned\x07\x1b[2J\rOK\x9b31m\xe2\x80\xae"  # title, clear screen, CR, CSI (C1), RLO
LONG = ESCAPES * 2000


def response(status: str, body: bytes, content_type: str = "application/sparql-results+json") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode("latin-1") + body


HOSTILE = {
    "400": response("400 Bad", LONG),
    "500": response("500 Oops", ESCAPES),
    "reason": b"HTTP/1.1 418 Tea\x1b[2J\x1b]0;t\x07\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    "json": response("200 OK", ESCAPES),
    "list": response("200 OK", b"[1, 2]"),
    "rows": response("200 OK", b'{"head": {"vars": ["x"]}, "results": {"bindings": [1]}}'),
    "term": response("200 OK", b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "\\u001b[2J"}}]}}'),
    "count": response("200 OK", b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", '
                                b'"value": "\\u001b[2J"}}]}}'),
    "turtle": response("200 OK", ESCAPES + b" <", "text/turtle"),
    "redirect": b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\x1b[2J\r\nContent-Length: 0\r\n\r\n",
    "garbage": ESCAPES + b"\r\n\r\n",
    "hangup": b"",
}


class HostileServer:
    """A loopback TCP server answering every request on /NAME with the raw bytes HOSTILE[NAME]."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            name = data.split(b" ", 2)[1].decode().strip("/").split("?")[0]
            try:
                conn.sendall(HOSTILE.get(name, HOSTILE["500"]))
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def hostile() -> HostileServer:
    server = HostileServer()
    yield server
    server.close()


def assert_safe(err: str) -> None:
    """One line, exit-2 style, nothing a terminal would act on, and not the whole 40 kB body."""
    one_line(err)
    assert not any(ch in err for ch in "\x1b\x07\r\x9b\u202e"), repr(err)
    assert len(err) < 800, len(err)


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - {"count"}))
def test_query_against_a_hostile_endpoint_is_one_safe_line(hostile: HostileServer, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture, name: str) -> None:
    text = "CONSTRUCT WHERE { ?s ?p ?o }" if name == "turtle" else "SELECT ?x WHERE { ?s ?p ?x }"
    path = query_file(tmp_path, text)
    assert main(["query", str(path), "--endpoint", f"{hostile.base}/{name}", "--retries", "0",
                 "--timeout", "5"]) == 2
    assert_safe(capsys.readouterr().err)


@pytest.mark.parametrize("name", ["400", "reason", "garbage", "count", "redirect"])
def test_push_against_a_hostile_store_is_one_safe_line(hostile: HostileServer, built_dist: Path,
                                                       capsys: pytest.CaptureFixture, name: str) -> None:
    """`count` answers every update with 200 and every count with an escape sequence instead of a number."""
    update = f"{hostile.base}/{'json' if name == 'count' else name}"
    assert main(["push", "--endpoint", update, "--query-endpoint", f"{hostile.base}/{name}", "--retries", "0",
                 "--timeout", "5", "--dist", str(built_dist)]) == 2
    err = capsys.readouterr().err
    assert_safe(err.splitlines(keepends=True)[-1])
    assert "staged" not in err or name == "count"


def test_printable_escapes_and_cuts() -> None:
    assert printable("a\x1b[2J\rb\u202ec 中") == "a\\x1b[2J\\x0db\\u202ec 中"
    assert printable(b"\xff\x07") == "\ufffd\\x07"
    assert len(printable("x" * 5000)) == 300 and printable("x" * 5000).endswith("…")


@pytest.mark.parametrize("graph", ["urn:a b", "urn:a>", "urn:{a}", "urn:a\nb", "graph", "<urn:a>", "urn:a\x1b[2J"])
def test_hostile_graph_is_refused_before_any_request(recorder: RecordingServer, built_dist: Path,
                                                     capsys: pytest.CaptureFixture, graph: str) -> None:
    """push --graph and query --endpoint --graph: one line, and the server never hears of it."""
    assert main(["push", "--endpoint", recorder.url, "--graph", graph, "--dist", str(built_dist)]) == 2
    assert_safe(capsys.readouterr().err)
    assert main(["query", "units_per_kind", "--endpoint", recorder.url, "--graph", graph,
                 "--queries", str(QUERIES)]) == 2
    assert_safe(capsys.readouterr().err)
    assert recorder.requests == []


# --- the guard and pyoxigraph read queries alike ------------------------------------------------------------

TRICKY = [
    "SELECT ?s WHERE { ?s ?p ?o } # SERVICE <{url}> { ?s ?p ?o }",
    "# SERVICE <{url}>\nSELECT ?s ?o WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s <urn:x#SERVICE> ?o . ?s ?p \"# SERVICE <{url}> { }\" }",
    "SELECT ?s WHERE { ?s ?p '''\nSERVICE <{url}> { ?s ?p ?o }\n''' }",
    "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { OPTIONAL { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "PREFIX service: <urn:service#>\nSELECT ?service WHERE { ?service service:select ?o }",
    "PREFIX SERVICE: <urn:s#>\nSELECT ?s WHERE { ?s SERVICE:p SERVICE:o }",
    "BASE <{url}>\nSELECT ?s WHERE { ?s <p> ?o }",
    "SELECT ?s WHERE { ?s ?p \"\\u0053ERVICE <{url}>\" }",
    "ASK { <urn:a#b> ?p ?o }",
    "CONSTRUCT { ?s <urn:p> ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE <urn:a>",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT * FROM <{url}> WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <urn:a> }",
]


def oxigraph_reading(store: ox.Store, text: str) -> tuple[str, tuple[str, ...] | None] | str:
    """How pyoxigraph reads a query: its form and (SELECT) variables, or 'syntax error'."""
    try:
        answer = store.query(text)
    except SyntaxError:
        return "syntax error"
    except OSError:
        return "SERVICE"  # it evaluated and tried (and failed) to reach out
    if isinstance(answer, ox.QueryBoolean):
        return "ASK", None
    if isinstance(answer, ox.QueryTriples):
        list(answer)
        return "GRAPH", None
    variables = tuple(v.value for v in answer.variables)
    try:
        list(answer)
    except OSError:
        return "SERVICE"
    return "SELECT", variables


def test_guard_and_pyoxigraph_read_every_query_alike(recorder: RecordingServer) -> None:
    """For the library and tricky texts (SERVICE in comments, strings and IRIs, \\u escapes, prefixes that look
    like keywords): a query the guard allows makes pyoxigraph call nobody, with the form and projected
    variables the guard saw; a query the guard refuses for SERVICE does call out when run unguarded (or, for
    `\\u0053ERVICE`, which rdflib expands and pyoxigraph does not, is a syntax error to pyoxigraph)."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    texts = [path.read_text(encoding="utf-8") for path in sorted(QUERIES.glob("*.rq"))]
    texts += [t.replace("{url}", recorder.url) for t in TRICKY]
    refused_service = 0
    for text in texts:
        try:
            checked = check(text)
        except QueryRefused as err:
            if "SERVICE" in str(err):
                before = len(recorder.requests)
                reading = oxigraph_reading(store, text)
                called = len(recorder.requests) > before
                assert called or reading == "syntax error", f"guard refused a SERVICE pyoxigraph runs: {text}"
                refused_service += called
            continue
        before = len(recorder.requests)
        reading = oxigraph_reading(store, text)
        assert len(recorder.requests) == before, f"the guard allowed a query that called out: {text}"
        assert reading != "syntax error", text
        form, variables = reading
        assert form == {"CONSTRUCT": "GRAPH", "DESCRIBE": "GRAPH"}.get(checked.form, checked.form), text
        if checked.projection is not None:
            assert variables == checked.projection, text
    assert refused_service == 4  # plain, SILENT, in OPTIONAL, in FILTER EXISTS


def test_unicode_escaped_keyword_is_refused_by_the_guard_and_unreadable_to_pyoxigraph(
        recorder: RecordingServer) -> None:
    """The guard (rdflib) expands `\\u0053` to `S` before parsing, as SPARQL 1.1 section 19.2 says; pyoxigraph 0.5
    expands escapes only inside IRIs and strings. The guard refuses, and pyoxigraph could not run it anyway."""
    text = f"SELECT * WHERE {{ \\u0053ERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
    with pytest.raises(UsageError, match="SERVICE"):
        check(text)
    assert oxigraph_reading(ox.Store(), text) == "syntax error" and recorder.requests == []
