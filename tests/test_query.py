"""`ctoc-kg query`: the whole library gives identical answers on pyoxigraph and rdflib, the hand-written expected
results hold, --bind values stay values, the guard refuses what would reach out, output formats follow the
W3C specs."""
# ruff: noqa: F811 (the server fixtures are imported from tests/servers.py and used as parameters)

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg_build.cli import main
from kg_build.errors import UsageError
from kg_build.sparql.client import Endpoint
from kg_build.sparql.guard import CheckedRequest, QueryRefused, check
from kg_build.sparql.query import OxigraphEngine, RdflibEngine, RemoteEngine, library, read_info, run_query
from kg_build.sparql.results import Result, display_width, to_csv, to_sparql_json, to_table, to_tsv
from kg_build.sparql.terms import parse_binding, parse_value
from kg_build.sparql.values import with_values
from tests.conftest import QUERIES
from tests.servers import VIOLATIONS, RecordingServer, network_canary, recorder  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("network_canary")

LIBRARY = library(QUERIES)
EXAMPLES = sorted((QUERIES / "expected" / "examples").glob("*.csv"))
REPORT = "https://w3id.org/ctoc-kg/id/report/wg-international-cooperation/2012-10-15"
INJECTIONS = [
    '} INSERT DATA { <urn:x> <urn:y> <urn:z> } #',
    '"} ; DROP ALL ; SELECT * WHERE { "',
    '"a\\" } INSERT DATA { <urn:x> <urn:y> <urn:z> } #"@zh',
    "'; DELETE WHERE { ?s ?p ?o } ; '",
    "{ } } ) ( \\ \\u0022 <urn:q>",
]


def bindings_of(info) -> dict:
    return dict(parse_binding(item) for item in info.example)


@pytest.fixture(scope="module")
def engines(built_dist: Path) -> dict:
    files = [p for p in (built_dist / "kg.nt", built_dist / "inferred.nt") if p.is_file()]
    return {"oxigraph": OxigraphEngine(files), "rdflib": RdflibEngine(files)}


@pytest.fixture(scope="module")
def asserted(built_dist: Path) -> dict:
    return {"oxigraph": OxigraphEngine([built_dist / "kg.nt"]), "rdflib": RdflibEngine([built_dist / "kg.nt"])}


def test_library_is_there() -> None:
    """The glob matches the library (a loop over an empty glob would pass forever)."""
    names = {info.name for info in LIBRARY}
    assert len(LIBRARY) >= 4
    assert {"paragraphs_healed", "units_per_kind", "unit_at_line", "section_paragraphs"} <= names
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("info", LIBRARY, ids=lambda i: i.name)
def test_both_engines_agree(engines: dict, info) -> None:
    """Every library query, unbound and with its example bindings, gives the same rows on both engines."""
    text = info.path.read_text(encoding="utf-8")
    for bindings in ({}, bindings_of(info)) if info.example else ({},):
        ox = run_query(engines["oxigraph"], text, bindings)
        rd = run_query(engines["rdflib"], text, bindings)
        assert ox.variables == rd.variables
        assert ox.comparable() == rd.comparable(), f"{info.name} {bindings}"


def read_csv(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], sorted(tuple(r) for r in rows[1:])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_examples_give_expected_rows(asserted: dict, engine: str, path: Path) -> None:
    """Parameterised queries with their example bindings give the rows written from reading the report."""
    info = read_info(QUERIES / f"{path.stem}.rq")
    assert info.example, f"{path.stem} needs an `# Example:` line"
    result = run_query(asserted[engine], info.path.read_text(encoding="utf-8"), bindings_of(info))
    assert read_csv(to_csv(result)) == read_csv(path.read_text(encoding="utf-8"))


def test_healed_units_as_in_the_report(asserted: dict) -> None:
    """The report has three units split by a page break: item 3(c) and paragraphs 36 and 39."""
    result = run_query(asserted["oxigraph"], (QUERIES / "paragraphs_healed.rq").read_text(encoding="utf-8"))
    assert [str(row["label"]) for row in result.rows] == ["3(c)", "36", "39"]
    assert [row["unit"] for row in result.rows][1] == URIRef(f"{REPORT}/para_36")


def test_unit_at_line_text_is_healed(asserted: dict) -> None:
    """Paragraph 36 starts on line 134 and continues after the page break without the break in its text."""
    text = (QUERIES / "unit_at_line.rq").read_text(encoding="utf-8")
    result = run_query(asserted["oxigraph"], text, {"line": Literal(134)})
    (row,) = result.rows
    assert "转移案件的一个主要考虑因素" in str(row["text"]) and "\n" not in str(row["text"])
    assert row["text"].language == "zh"


# --- --bind ------------------------------------------------------------------------------------------------

def test_bind_values_are_rdf_terms() -> None:
    assert parse_value("12") == Literal("12", datatype=XSD.integer)
    assert parse_value("１２") == Literal("１２")  # full-width digits are not an integer
    assert parse_value("<https://w3id.org/ctoc-kg/id/state/ECU>") == URIRef("https://w3id.org/ctoc-kg/id/state/ECU")
    assert parse_value('"国际合作"@zh') == Literal("国际合作", lang="zh")
    assert parse_value('"a \\"quoted\\" word"') == Literal('a "quoted" word')
    assert parse_value("1(b)") == Literal("1(b)")
    assert parse_value('"5"^^<http://www.w3.org/2001/XMLSchema#integer>') == Literal(5)
    assert parse_binding("?line=134") == ("line", Literal(134))
    for bad in ("<not an iri>", "<urn:a> } INSERT DATA { <urn:b> <urn:c> <urn:d> }>", '"x"@not a tag'):
        with pytest.raises(UsageError):
            parse_value(bad)


PROBE = "SELECT ?v (STRLEN(STR(?v)) AS ?n) WHERE { }"


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_bind_injection_is_just_a_value(engines: dict, engine: str, value: str) -> None:
    """Quotes, braces and `} INSERT DATA {...}` in a bound value come back as that value; the graph is unchanged."""
    before = run_query(engines[engine], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    term = parse_value(value)
    result = run_query(engines[engine], PROBE, {"v": term})
    assert result.rows == [{"v": term, "n": Literal(len(str(term)))}]
    heading = run_query(engines[engine], (QUERIES / "section_paragraphs.rq").read_text(encoding="utf-8"),
                        {"heading": term})
    assert heading.rows == []
    assert run_query(engines[engine], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"] == before


@pytest.mark.parametrize("value", INJECTIONS)
def test_bind_for_an_endpoint_is_one_values_row(value: str) -> None:
    """For a remote endpoint the value travels in a VALUES block that parses back to exactly the same term."""
    sent: list[str] = []

    class Capture(Endpoint):
        def query(self, text: str, form: str) -> Result:
            sent.append(text)
            return Result(form="SELECT", variables=["v", "n"])

    term = parse_value(value)
    run_query(RemoteEngine(Capture("http://127.0.0.1:9/")), PROBE, {"v": term})
    (row,) = RdflibEngine([]).graph.query(sent[0])  # evaluate the text that was sent, on an empty graph
    assert row.v == term and row.n == Literal(len(str(term)))
    check(sent[0])  # and the final text passes the guard (no update hidden in it)


def test_bind_must_name_a_projected_variable(engines: dict) -> None:
    text = (QUERIES / "unit_at_line.rq").read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="no variable"):
        run_query(engines["oxigraph"], text, {"nosuch": Literal(1)})
    with pytest.raises(UsageError, match="not in the SELECT clause"):
        run_query(engines["rdflib"], "SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal(1)})


# --- the guard ---------------------------------------------------------------------------------------------

def refused_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{url}>",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DROP ALL",
    ]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_refuses_service_from_load_update(built_dist: Path, tmp_path: Path, recorder: RecordingServer,
                                                capsys: pytest.CaptureFixture, engine: str) -> None:
    """Each is refused with exit 2 and one line on stderr, and the local server is never contacted."""
    for number, text in enumerate(refused_queries(recorder.url)):
        path = tmp_path / f"q{number}.rq"
        path.write_text(text, encoding="utf-8")
        assert main(["query", str(path), "--dist", str(built_dist), "--engine", engine]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "refused" in err, err
    assert recorder.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_allow_service_does_call_out(built_dist: Path, tmp_path: Path, recorder: RecordingServer,
                                     engine: str) -> None:
    """Positive control: with --allow-service both engines do contact the server (so the test above can see it)."""
    path = tmp_path / "service.rq"
    path.write_text(f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}", encoding="utf-8")
    assert main(["query", str(path), "--dist", str(built_dist), "--engine", engine, "--allow-service"]) == 0
    assert len(recorder.requests) == 1 and "SELECT" in recorder.requests[0]


def test_rdflib_does_not_fetch_from_even_unguarded(engines: dict, recorder: RecordingServer) -> None:
    """Defence in depth: rdflib runs with SPARQL_LOAD_GRAPHS off, so FROM <url> is no download even unguarded."""
    text = f"SELECT (COUNT(*) AS ?n) FROM <{recorder.url}> WHERE {{ ?s ?p ?o }}"
    unchecked = CheckedRequest(text=text, kind="query", form="SELECT")
    assert len(engines["rdflib"].run(unchecked, {}).rows) == 1
    assert recorder.requests == []
    with pytest.raises(UsageError, match="no named graphs"):  # checked requests name their dataset: refused
        run_query(engines["oxigraph"], "SELECT * FROM <urn:x-ctoc-kg:g> WHERE { ?s ?p ?o }")


def test_guard_reads_the_parse_not_the_words() -> None:
    """SERVICE inside a literal or an IRI is no SERVICE call; a FROM naming a urn: graph is fine."""
    assert check('SELECT * WHERE { ?s ?p "SERVICE <http://example.org/>" }').form == "SELECT"
    assert check("SELECT * FROM <urn:x-ctoc-kg:graph> WHERE { ?s ?p ?o }").form == "SELECT"
    with pytest.raises(QueryRefused) as err:
        check("SELECT * WHERE { ?s ?p ")
    assert err.value.status == 400 and "line 1" in str(err.value)


def test_network_canary_fires() -> None:
    """The audit hook refuses a request off the loopback before any packet leaves."""
    with pytest.raises(RuntimeError, match="network canary"):
        urllib.request.urlopen("http://192.0.2.1/sparql", timeout=1)
    assert VIOLATIONS and "192.0.2.1" in VIOLATIONS[-1]
    VIOLATIONS.clear()


# --- output formats ----------------------------------------------------------------------------------------

def sample() -> Result:
    return Result(form="SELECT", variables=["a", "b", "c"], rows=[
        {"a": URIRef("https://w3id.org/ctoc-kg/id/state/ECU"), "b": Literal('say "hi", then\nleave', lang="en"),
         "c": Literal(3)},
        {"a": URIRef("https://w3id.org/ctoc-kg/id/state/CHL"), "b": Literal("智利")},
    ])


def test_csv_follows_the_w3c_results_format() -> None:
    text = to_csv(sample())
    assert text.startswith("a,b,c\r\n")
    assert text.split("\r\n")[1] == 'https://w3id.org/ctoc-kg/id/state/ECU,"say ""hi"", then\nleave",3'
    assert text.endswith("https://w3id.org/ctoc-kg/id/state/CHL,智利,\r\n")


def test_tsv_follows_the_w3c_results_format() -> None:
    lines = to_tsv(sample()).split("\n")
    assert lines[0] == "?a\t?b\t?c"
    assert lines[1] == '<https://w3id.org/ctoc-kg/id/state/ECU>\t"say \\"hi\\", then\\nleave"@en\t' \
        '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert lines[2] == '<https://w3id.org/ctoc-kg/id/state/CHL>\t"智利"\t'


def test_json_follows_the_w3c_results_format() -> None:
    data = json.loads(to_sparql_json(sample()))
    assert data["head"]["vars"] == ["a", "b", "c"]
    first, second = data["results"]["bindings"]
    assert first["b"] == {"type": "literal", "value": 'say "hi", then\nleave', "xml:lang": "en"}
    assert first["c"]["datatype"] == str(XSD.integer)
    assert "c" not in second and second["a"] == {"type": "uri", "value": "https://w3id.org/ctoc-kg/id/state/CHL"}


def test_table_counts_wide_characters_twice(built_dist: Path, capsys: pytest.CaptureFixture) -> None:
    assert display_width("智利") == 4 and display_width("Chile") == 5
    lines = to_table(sample()).splitlines()
    starts = [line.index("say") if "say" in line else line.index("智利") for line in lines[2:4]]
    assert starts[0] == starts[1]
    assert main(["query", "section_paragraphs", "--dist", str(built_dist),
                 "--bind", 'heading="视频会议（第 18 条，第 18 款）"@zh']) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "(2 rows)"
    # the paragraph column starts at the same display column on every row, after the wide-character heading
    header_column = display_width(out[0][: out[0].index("paragraph")])
    assert {display_width(line[: line.index("id:")]) for line in out[2:4]} == {header_column}


def test_list_shows_questions_in_both_languages(capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "--list", "--queries", str(QUERIES)]) == 0
    out = capsys.readouterr().out
    assert "paragraphs_healed" in out and "分页打断" in out and "?line" in out


def test_unknown_query_name_is_one_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "no_such_query", "--queries", str(QUERIES)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# --- remote endpoints: retries -----------------------------------------------------------------------------

ONE_ROW = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"ok"}}]}}'


class Flaky:
    """A loopback SPARQL endpoint that answers 503 `failures` times, then `payload` (a one-row result)."""

    def __init__(self, failures: int, payload: bytes = ONE_ROW) -> None:
        self.calls: list[str] = []
        flaky = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                flaky.calls.append(body)
                if len(flaky.calls) <= failures:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_endpoint_retries_5xx_with_backoff_then_succeeds() -> None:
    flaky = Flaky(failures=2)
    try:
        endpoint = Endpoint(flaky.url, retries=3, backoff=0.05)
        result = run_query(RemoteEngine(endpoint), "SELECT ?x WHERE { ?s ?p ?x }")
    finally:
        flaky.close()
    assert [str(row["x"]) for row in result.rows] == ["ok"]
    assert len(flaky.calls) == 3 and all(call.startswith("query=") for call in flaky.calls)  # POSTed forms


def test_endpoint_gives_up_after_its_retries(capsys: pytest.CaptureFixture) -> None:
    flaky = Flaky(failures=100)
    try:
        code = main(["query", str(QUERIES / "units_per_kind.rq"), "--endpoint", flaky.url, "--retries", "2"])
    finally:
        flaky.close()
    assert code == 2 and len(flaky.calls) == 3
    assert "HTTP 503" in capsys.readouterr().err



def test_endpoint_sends_a_query_whose_words_look_like_an_update(recorder: RecordingServer) -> None:
    """SPARQLWrapper's own guess takes `?addressee` for an ADD update; the form comes from our parse instead."""
    text = "# Which outcomes are addressed to whom?\nSELECT ?addressee WHERE { ?outcome <urn:to> ?addressee }"
    result = run_query(RemoteEngine(Endpoint(recorder.url, retries=0)), text, {})
    assert result.rows == [] and len(recorder.requests) == 1
    assert "query=" in recorder.requests[0] and "update=" not in recorder.requests[0]


# --- where the VALUES row goes for an endpoint ----------------------------------------------------------------

def test_values_row_closes_the_where_group() -> None:
    """Braces and parentheses in strings, IRIs, comments and SELECT expressions do not count; the row joins
    inside the WHERE group, before the solution modifiers."""
    text = ('PREFIX x: <urn:x#(>\n# a comment with } and {\nSELECT ?s (EXISTS { ?s ?p "}" } AS ?e) ?o\n'
            'WHERE { ?s <urn:p#)> ?o . FILTER (?o != "{") OPTIONAL { ?s ?q \'\'\'}\'\'\' } }\nORDER BY ?s')
    sent = with_values(text, {"s": URIRef("urn:a")})
    assert sent.endswith('\'\'\'}\'\'\' } \n  VALUES (?s) { (<urn:a>) }\n}\nORDER BY ?s')
    check(sent)


def test_values_row_trails_for_a_computed_variable() -> None:
    """A variable the SELECT clause assigns is out of scope in the group: it keeps the trailing clause."""
    checked = check("SELECT ?s (STR(?s) AS ?label) WHERE { ?s ?p ?o } ORDER BY ?s")
    assert checked.computed == {"label"}
    sent = with_values(checked.text, {"label": Literal("a")}, checked.computed)
    assert sent.endswith('ORDER BY ?s\nVALUES (?label) { ("a") }\n')


GUARD_THREADS = """
import sys, threading
from pathlib import Path
from kg_build.sparql.guard import check
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.rq"))]
failures = []
barrier = threading.Barrier(16)
def work(offset):
    barrier.wait()
    for text in texts[offset:] + texts[:offset]:
        try:
            check(text)
        except Exception as err:
            failures.append(f"{type(err).__name__}: {err}")
threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
[t.start() for t in threads]
[t.join() for t in threads]
for text in texts:
    check(text)
print(len(failures), failures[:3])
"""


def test_guard_is_safe_under_concurrency() -> None:
    """16 threads check the whole library at once in a fresh interpreter: every check passes, and the parser
    still works afterwards (rdflib's grammar is shared state; an unguarded race broke it for good)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", GUARD_THREADS, str(QUERIES)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("0 "), done.stdout
