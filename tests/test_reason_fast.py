"""The fast reasoner (kg_build/reason/fast.py) against owlrl, the reference: the same trimmed closure and the
same inconsistencies on the shipped report's build, on a 20-report corpus and on one fixture per axiom kind;
and an axiom kind it does not implement is refused instead of silently changing the answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg_build.cli import main
from kg_build.graph_files import read_graph
from kg_build.publish.scale import write_replicated
from kg_build.reason.closure import ONTOLOGY_FILE, Closure, compute_closure, load_ontology
from kg_build.reason.fast import SUPPORTED, UnsupportedAxiom, ensure_supported, schema_triples

FIXTURES = Path(__file__).parent / "fixtures" / "reason"
AXIOM_FIXTURES = sorted(FIXTURES.glob("*.trig"))
UNSUPPORTED = sorted((FIXTURES / "unsupported").glob("*.ttl"))
CORPUS_REPORTS = 20


def both_engines(data: Graph, ontology: Graph) -> tuple[Closure, Closure]:
    return compute_closure(data, ontology, engine="fast"), compute_closure(data, ontology, engine="owlrl")


def assert_same(fast: Closure, owlrl: Closure) -> None:
    assert set(fast.inferred) == set(owlrl.inferred)
    assert fast.inconsistencies == owlrl.inconsistencies


def fixture_graphs(path: Path) -> tuple[Graph, Graph, Graph]:
    """The <ontology>, <data> and <expected> graphs of a reasoner fixture."""
    dataset = Dataset()
    dataset.parse(path, format="trig")
    return tuple(dataset.graph(URIRef(f"urn:graph:{name}")) for name in ("ontology", "data", "expected"))


def test_the_shipped_ontology_uses_only_supported_axiom_kinds() -> None:
    ontology = load_ontology()
    ensure_supported(ontology, ONTOLOGY_FILE)
    used = {o if p == RDF.type else p for _, p, o in schema_triples(ontology)}
    assert used <= SUPPORTED
    assert used == {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.SymmetricProperty, OWL.NamedIndividual,
                    OWL.Ontology, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.disjointWith,
                    OWL.AnnotationProperty}  # vann:usageNote, declared for the kinds of document no shipped text has


def test_fast_equals_owlrl_on_the_shipped_report(kg: Graph) -> None:
    fast, owlrl = both_engines(kg, load_ontology())
    assert_same(fast, owlrl)
    assert len(fast.inferred) > 1000 and fast.inconsistencies == []


def test_fast_equals_owlrl_on_a_20_report_corpus(built_dist: Path, tmp_path: Path, kg: Graph) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    shutil.copy(built_dist / "kg.nt", seed / "kg.nt")
    corpus = read_graph([write_replicated(seed, tmp_path / "corpus", CORPUS_REPORTS) / "kg.nt"])
    assert len(corpus) > (CORPUS_REPORTS - 1) * len(kg)
    fast, owlrl = both_engines(corpus, load_ontology())
    assert_same(fast, owlrl)
    seed_inferred = len(read_graph([built_dist / "inferred.nt"]))
    assert len(fast.inferred) > (CORPUS_REPORTS - 1) * seed_inferred


@pytest.mark.parametrize("fixture", AXIOM_FIXTURES, ids=[p.stem for p in AXIOM_FIXTURES])
def test_fast_equals_owlrl_on_each_axiom_kind(fixture: Path) -> None:
    ontology, data, expected = fixture_graphs(fixture)
    fast, owlrl = both_engines(data, ontology)
    assert_same(fast, owlrl)
    unpruned = compute_closure(data, ontology, engine="owlrl", prune=False)
    assert_same(fast, unpruned)
    assert set(expected) <= set(fast.inferred)
    assert len(expected) or fast.inconsistencies


def test_disjointness_violation_gives_owlrls_message() -> None:
    ontology, data, _ = fixture_graphs(FIXTURES / "disjoint.trig")
    fast = compute_closure(data, ontology, engine="fast")
    unit, agent = "https://w3id.org/ctoc-kg/test#Unit", "https://w3id.org/ctoc-kg/test#Agent"
    assert fast.inconsistencies == [
        f"Disjoint classes {unit} and {agent} have a common individual https://w3id.org/ctoc-kg/id/test/{node}"
        for node in ("p1", "p2")]


def test_literal_datatype_checks_match_owlrl() -> None:
    ontology, data, _ = fixture_graphs(FIXTURES / "datatypes.trig")
    fast = compute_closure(data, ontology, engine="fast")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert fast.inconsistencies == [
        f"Disjoint classes {xsd}decimal and {xsd}string have a common individual 12",
        f"Lexical value of the literal 'many' does not match its datatype ({xsd}integer)"]


@pytest.mark.parametrize("axiom", UNSUPPORTED, ids=[p.stem for p in UNSUPPORTED])
def test_an_unsupported_axiom_kind_is_refused(axiom: Path, kg: Graph) -> None:
    ontology = load_ontology() + read_graph([axiom])
    with pytest.raises(UnsupportedAxiom, match="the fast reasoner does not support"):
        ensure_supported(ontology)
    with pytest.raises(UnsupportedAxiom):
        compute_closure(kg, ontology, engine="fast")
    with pytest.raises(UnsupportedAxiom, match="the asserted graph"):
        compute_closure(kg + read_graph([axiom]), load_ontology(), engine="fast")


def test_reason_command_names_the_file_line_and_axiom(
    built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(built_dist / "kg.nt", dist / "kg.nt")
    ontology = tmp_path / "ctoc.ttl"
    text = ONTOLOGY_FILE.read_text(encoding="utf-8")
    ontology.write_text(text + "\nctoc:symbol a owl:FunctionalProperty .\n", encoding="utf-8")
    assert main(["reason", "--dist", str(dist), "--ontology", str(ontology)]) == 2
    err = capsys.readouterr().err.strip()
    line = len(text.splitlines()) + 2
    assert err.splitlines() == [err]
    assert err.startswith(f"{ontology}:{line}: error: the fast reasoner does not support owl:FunctionalProperty")
    assert "https://w3id.org/ctoc-kg/ontology#symbol" in err
    assert main(["reason", "--dist", str(dist), "--ontology", str(ontology), "--engine", "owlrl"]) == 0
