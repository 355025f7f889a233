"""The fast reasoner over a pyoxigraph store (reason/store.py) against fast.py on rdflib (itself equal to owlrl):
the same trimmed closure and inconsistencies on the seed build, a 20-report corpus and every axiom fixture, the
input's literals kept although the store alters them; an axiom kind it lacks is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg_build.graph_files import read_graph
from kg_build.publish.scale import write_replicated
from kg_build.reason.closure import Closure, compute_closure, compute_store_closure, load_ontology
from kg_build.reason.fast import UnsupportedAxiom
from kg_build.serialize import canonical_ntriples
from kg_build.store_terms import literal_table
from tests.test_reason_fast import AXIOM_FIXTURES, CORPUS_REPORTS, UNSUPPORTED, fixture_graphs


def store_of(data: Graph) -> ox.Store:
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return store


def on_store(data: Graph, ontology: Graph) -> Closure:
    return compute_store_closure(store_of(data), ontology, literals=literal_table(data))


def assert_same(store: Closure, fast: Closure) -> None:
    assert canonical_ntriples(store.inferred) == canonical_ntriples(fast.inferred)
    assert store.inconsistencies == fast.inconsistencies


def test_store_equals_fast_on_the_seed(kg: Graph) -> None:
    ontology = load_ontology()
    closure = on_store(kg, ontology)
    assert_same(closure, compute_closure(kg, ontology))
    assert len(closure.inferred) > 1000


def test_store_equals_fast_on_a_20_report_corpus(built_dist: Path, tmp_path: Path, kg: Graph) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    shutil.copy(built_dist / "kg.nt", seed / "kg.nt")
    path = write_replicated(seed, tmp_path / "corpus", CORPUS_REPORTS) / "kg.nt"
    corpus, ontology = read_graph([path]), load_ontology()
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    closure = compute_store_closure(store, ontology, literals=literal_table(corpus))
    assert_same(closure, compute_closure(corpus, ontology))
    assert len(closure.inferred) > (CORPUS_REPORTS - 1) * 1000


@pytest.mark.parametrize("fixture", AXIOM_FIXTURES, ids=[p.stem for p in AXIOM_FIXTURES])
def test_store_equals_fast_on_each_axiom_kind(fixture: Path) -> None:
    ontology, data, expected = fixture_graphs(fixture)
    closure = on_store(data, ontology)
    assert_same(closure, compute_closure(data, ontology))
    assert set(expected) <= set(closure.inferred)


def test_literals_the_store_alters_keep_their_datatype_checks() -> None:
    ontology, data, _ = fixture_graphs(Path(__file__).parent / "fixtures" / "reason" / "datatypes.trig")
    closure = on_store(data, ontology)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert f"Lexical value of the literal 'many' does not match its datatype ({xsd}integer)" in closure.inconsistencies
    assert closure.inconsistencies == compute_closure(data, ontology).inconsistencies


@pytest.mark.parametrize("axiom", UNSUPPORTED, ids=[p.stem for p in UNSUPPORTED])
def test_an_unsupported_axiom_kind_is_refused(axiom: Path, kg: Graph) -> None:
    with pytest.raises(UnsupportedAxiom):
        on_store(kg, load_ontology() + read_graph([axiom]))
    with pytest.raises(UnsupportedAxiom, match="the asserted graph"):
        on_store(kg + read_graph([axiom]), load_ontology())
