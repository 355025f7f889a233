"""The Python API (`kg_build.load`, `kg_build.query`, `kg_build.queries`) on the seed build: facts the report
states, bindings as RDF terms, the guard's refusals, a clear error for an unknown name, and the DataFrame path."""

from __future__ import annotations

import csv
import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import URIRef

import kg_build
from kg_build.errors import UsageError
from kg_build.sparql.guard import QueryRefused

from .conftest import QUERIES, SEED

REPORT = "https://w3id.org/ctoc-kg/id/report/wg-international-cooperation/2012-10-15"
ART_18 = "https://w3id.org/ctoc-kg/id/convention/untoc/art_18"


def expected(name: str) -> list[dict[str, str]]:
    """The rows written from reading the report, queries/expected/NAME.csv."""
    with (QUERIES / "expected" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_import_is_cheap() -> None:
    """`import kg_build` loads none of the engines or pandas; the API is imported on first use."""
    code = ("import sys, kg_build; heavy = {'rdflib', 'pyoxigraph', 'pandas', 'kg_build.api'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_speaking_states_are_the_31_of_paragraph_40(built_dist: Path) -> None:
    """The report's paragraph 40 lists 31 States whose representatives spoke; the query gives exactly them."""
    rows = kg_build.query("speaking_states", dist=built_dist)
    assert rows.variables == ["state", "iso3", "name_en", "name_zh"]
    assert rows == expected("speaking_states")
    assert len(rows) == 31
    paragraph_40 = next(line for line in SEED.read_text(encoding="utf-8").splitlines() if line.startswith("40. "))
    assert all(row["name_zh"] in paragraph_40 for row in rows)
    assert {"state": "https://w3id.org/ctoc-kg/id/state/ECU", "iso3": "ECU", "name_en": "Ecuador",
            "name_zh": "厄瓜多尔"} in rows


def test_bound_queries(built_dist: Path) -> None:
    """Keyword bindings are RDF terms: an int is an xsd:integer (line 134 of the source starts paragraph 36), a
    URIRef an IRI (the one recommendation citing article 18, item 37(a), through its paragraph 13)."""
    line_134 = SEED.read_text(encoding="utf-8").splitlines()[133]
    [row] = kg_build.query("unit_at_line", dist=built_dist, line=134)
    assert row["line"] == 134 and row["unit"] == f"{REPORT}/para_36"
    assert line_134.startswith("36. ") and line_134[4:].startswith(str(row["text"])[:30])
    assert kg_build.query("unit_at_line", dist=built_dist, line="134") == [row]  # CLI syntax: digits -> integer
    cited = kg_build.query("recommendations_citing_article", dist=built_dist, article=URIRef(ART_18))
    assert [(r["id"], r["provision"], r["action_en"]) for r in cited] == [("37(a)", f"{ART_18}/para_13", "requests")]
    assert kg_build.query("recommendations_citing_article", dist=built_dist, article=f"<{ART_18}>") == cited


def test_bindings_are_never_pasted(built_dist: Path) -> None:
    """A value that would close the literal and add a triple pattern is one (unmatched) string, not SPARQL."""
    hostile = '"x" } ?s ?p ?o { "'
    assert kg_build.query("section_paragraphs", dist=built_dist, heading=f'"{hostile}"@zh') == []
    with pytest.raises(UsageError, match="no variable"):
        kg_build.query("speaking_states", dist=built_dist, nope=1)
    with pytest.raises(UsageError, match="cannot bind"):
        kg_build.query("unit_at_line", dist=built_dist, line=[134])


def test_python_values_of_typed_literals(built_dist: Path) -> None:
    """Typed literals come back as Python values, IRIs and strings as str, unbound variables as None."""
    text = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    SELECT ?n ?d ?f ?b ?day ?iri ?zh ?none WHERE {
      BIND (3 AS ?n) BIND (1.5 AS ?d) BIND ("2.5"^^xsd:double AS ?f) BIND (true AS ?b)
      BIND ("2012-10-15"^^xsd:date AS ?day) BIND (<urn:x> AS ?iri) BIND ("报告"@zh AS ?zh) }"""
    [row] = kg_build.query(text, dist=built_dist)
    assert row == {"n": 3, "d": Decimal("1.5"), "f": 2.5, "b": True, "day": datetime.date(2012, 10, 15),
                   "iri": "urn:x", "zh": "报告", "none": None}


def test_text_is_checked_by_the_guard(built_dist: Path) -> None:
    """SERVICE, FROM <url> and updates are refused before any engine sees them; so is a syntax error."""
    for text in ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                 "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
                 "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                 "SELECT * WHERE { ?s ?p }"):
        with pytest.raises(QueryRefused):
            kg_build.query(text, dist=built_dist)


def test_unknown_name_and_missing_build(built_dist: Path, tmp_path: Path) -> None:
    """An unknown name says so and lists the library; a folder without a build names the missing file."""
    with pytest.raises(kg_build.UnknownQuery, match=r"no query named 'speaking_state' .*speaking_states"):
        kg_build.query("speaking_state", dist=built_dist)
    with pytest.raises(UsageError, match="kg.nt not found"):
        kg_build.query("speaking_states", dist=tmp_path)


def test_load_gives_the_whole_build(built_dist: Path) -> None:
    """`load` is a pyoxigraph Store with kg.nt and inferred.nt: every line of both files is one quad."""
    store = kg_build.load(built_dist)
    lines = sum(len((built_dist / name).read_bytes().splitlines()) for name in ("kg.nt", "inferred.nt"))
    assert len(store) == lines > 7000


def test_queries_lists_the_library() -> None:
    """Every .rq file of queries/ with its questions in English and Chinese and its parameters."""
    listed = {q.name: q for q in kg_build.queries()}
    assert set(listed) == {p.stem for p in QUERIES.glob("*.rq")}
    speaking = listed["speaking_states"]
    assert speaking.question_en == "Which States' representatives made statements at the meeting?"
    assert speaking.question_zh == "哪些国家的代表在会上作了发言？"
    assert speaking.parameters == {}
    assert list(listed["unit_at_line"].parameters) == ["line"]


def test_rows_to_frame(built_dist: Path) -> None:
    """With pandas installed, rows become a DataFrame with the query's columns in order."""
    frame = kg_build.query("article_citation_counts", dist=built_dist).to_frame()
    assert list(frame.columns) == ["article", "title_en", "title_zh", "citations", "units"]
    article_18 = frame.set_index("article").loc["18"]
    assert (article_18["title_en"], article_18["citations"]) == ("Mutual legal assistance", 4)
