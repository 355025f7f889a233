"""The compiled SHACL validator (validate/compiled.py) gives exactly pyshacl's findings, on the seed build and on
every validation fixture, and refuses a shapes graph using a feature it does not evaluate."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Graph

from kg_build.graph_files import read_graph
from kg_build.reason.closure import compute_closure, load_ontology
from kg_build.store_terms import altered_by_store
from kg_build.validate.compiled import CompileError, compile_shapes, graph_findings
from kg_build.validate.shapes import load_shapes, pyshacl_findings
from tests.conftest import FIXTURES

GRAPHS = sorted(p for folder in ("invalid", "valid") for p in (FIXTURES / folder).glob("*.ttl"))
PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _spec(fixture: Path) -> dict:
    sidecar = fixture.with_suffix(".expect.yaml")
    return yaml.safe_load(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}


CASES = [p for p in GRAPHS if _spec(p).get("exit", 0) != 2
         and not any(e["check"].startswith("syntax:") for e in _spec(p).get("expect") or [])]


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_compiled_equals_pyshacl_on_fixture(fixture: Path) -> None:
    asserted = read_graph([fixture])
    ontology = asserted if _spec(fixture).get("ontology") == "self" else load_ontology()
    data = asserted + compute_closure(asserted, ontology).inferred
    shapes = load_shapes()
    compiled = graph_findings(data, compile_shapes(shapes))
    assert sorted(set(compiled)) == sorted(set(pyshacl_findings(data, shapes)))
    expected = {e["check"] for e in _spec(fixture).get("expect") or [] if e["check"].startswith("ctocsh:")}
    assert len({f.check for f in compiled if "shapes#" in f.check}) >= len(expected) > 0 or not expected


def test_compiled_equals_pyshacl_on_the_seed(kg: Graph, built_dist: Path) -> None:
    data = kg + Graph().parse(built_dist / "inferred.nt", format="nt")
    shapes = load_shapes()
    assert sorted(set(graph_findings(data, compile_shapes(shapes)))) == sorted(set(pyshacl_findings(data, shapes)))


def test_compiled_equals_pyshacl_on_broken_seed_data(kg: Graph, built_dist: Path) -> None:
    """Damage of every kind the shapes check, spread over the seed: still the same findings, and many of them."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    from kg_build.namespaces import CTOC, OA

    data = kg + Graph().parse(built_dist / "inferred.nt", format="nt")
    for n, (s, p, o) in enumerate(sorted(data)):
        if n % 7 == 0 and p in (CTOC.order, OA.start, OA.end, CTOC.line):
            data.remove((s, p, o))
            data.add((s, p, Literal("0" + str(o), datatype=XSD.integer if n % 2 else XSD.decimal)))
        elif n % 11 == 0 and p == RDFS.label:
            data.add((s, p, Literal(str(o) + " bis", lang=o.language or "fr")))
        elif n % 13 == 0 and p in (CTOC.inReport, CTOC.statedIn, CTOC.textAnchor):
            data.remove((s, p, o))
        elif n % 17 == 0 and isinstance(o, URIRef) and p == CTOC.cites:
            data.add((s, p, URIRef(str(o) + "-missing")))
    shapes = load_shapes()
    compiled = graph_findings(data, compile_shapes(shapes))
    assert len(compiled) > 50
    assert sorted(set(compiled)) == sorted(set(pyshacl_findings(data, shapes)))


@pytest.mark.parametrize(("body", "named"), [
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:message \"m\" .", "sh:closed"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . "
     "ex:P sh:path ex:p ; sh:equals ex:q ; sh:message \"m\" .", "sh:equals"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:or ( [ sh:hasValue ex:x ] ) ; sh:message \"m\" .",
     "sh:hasValue"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . "
     "ex:P sh:path [ ex:strange ex:p ] ; sh:minCount 1 ; sh:message \"m\" .", "path form"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . "
     "ex:P sh:path ex:p ; sh:minCount 1 .", "no sh:message"),
])
def test_unsupported_feature_fails_loudly(body: str, named: str) -> None:
    shapes = Graph().parse(data=PREFIXES + body, format="turtle")
    with pytest.raises(CompileError) as refused:
        compile_shapes(shapes)
    text = str(refused.value)
    assert named in text and ("http://example.org/S" in text or "http://example.org/P" in text)
    assert "\n" not in text


def test_store_altered_literals_are_recognised() -> None:
    from rdflib import Literal
    from rdflib.namespace import XSD

    assert altered_by_store(Literal("5", datatype=XSD.nonNegativeInteger))
    assert altered_by_store(Literal("5", datatype=XSD.positiveInteger))
    assert altered_by_store(Literal("abc", datatype=XSD.integer))  # ill-typed: kept as read
    assert not altered_by_store(Literal("5", datatype=XSD.integer))
    assert not altered_by_store(Literal("2020-01-06", datatype=XSD.date))
    assert not altered_by_store(Literal("x", lang="zh"))


def test_compiled_equals_pyshacl_on_a_damaged_20_report_corpus(built_dist: Path, tmp_path: Path) -> None:
    """The seed's reports copied 20 times (publish/scale.py), with the same damage as above in some copies."""
    import shutil

    from rdflib import Literal
    from rdflib.namespace import RDFS

    from kg_build.namespaces import CTOC, OA
    from kg_build.publish.scale import write_replicated

    seed = tmp_path / "seed"
    seed.mkdir()
    shutil.copy(built_dist / "kg.nt", seed / "kg.nt")
    corpus = read_graph([write_replicated(seed, tmp_path / "corpus", 20) / "kg.nt"])
    for n, (s, p, o) in enumerate(sorted(corpus)):
        if n % 101 == 0 and p in (OA.start, CTOC.line):
            corpus.remove((s, p, o))
            corpus.add((s, p, Literal("-" + str(o))))
        elif n % 103 == 0 and p == RDFS.label:
            corpus.add((s, p, Literal(str(o) + " bis", lang=o.language or "fr")))
        elif n % 107 == 0 and p in (CTOC.inReport, CTOC.textAnchor):
            corpus.remove((s, p, o))
    data = corpus + compute_closure(corpus, load_ontology()).inferred
    shapes = load_shapes()
    compiled = graph_findings(data, compile_shapes(shapes))
    assert len(compiled) > 100
    assert sorted(set(compiled)) == sorted(set(pyshacl_findings(data, shapes)))
