"""The corpus pass's shortcuts give what the long way gives: QC queries limited to some nodes return exactly the
rows about them; a node two partitions both hold as their own is still found shared (by listing the store); the
check context kept on disk is the one built, and a change to the shapes builds a new one."""

from __future__ import annotations

import shutil
from array import array
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal
from rdflib.namespace import RDFS

from kg_build.namespaces import CTOC
from kg_build.pipeline import build_graph
from kg_build.reason.closure import load_ontology
from kg_build.validate import context_cache
from kg_build.validate.on_store import CheckStore
from kg_build.validate.partition import CheckContext, PartitionCheck, node_hash, shared_nodes
from kg_build.validate.qc import QC_DIR, WHOLE_BUILD, load_qc
from kg_build.validate.shapes import SHAPES_DIR

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
ONTOLOGY = "https://w3id.org/ctoc-kg/ontology#"


@pytest.fixture(scope="module")
def seed() -> CheckStore:
    """The seed with QC rows about some of its units: English labels in Chinese, an undeclared property, a
    property outside its domain."""
    graph = build_graph(sorted(REPORTS.glob("*.txt"))).graph
    units = sorted(graph.subjects(CTOC.textAnchor, None))
    for k, unit in enumerate(units[:12]):
        graph.add((unit, RDFS.label, Literal("中文标签", lang="en")))
        graph.add((unit, CTOC.madeUpProperty, Literal(str(k))))
        graph.add((units[-1 - k], CTOC.symbol, Literal(f"X/{k}")))
    return CheckStore.from_graphs(graph)


def test_a_focused_qc_query_returns_the_rows_about_its_nodes(seed: CheckStore) -> None:
    queries = [q for q in load_qc() if q.scope != WHOLE_BUILD]
    ontology = load_ontology()
    whole = seed.qc(queries, ontology, whole_build=True)
    foci = sorted({f.focus for f in whole})
    assert len(foci) >= 20 and {f.check for f in whole} >= {"qc:chinese-under-english-violation",
                                                             "qc:undeclared-term-violation",
                                                             "qc:domain-range-violation"}
    nodes = {n.value for q in seed.store.quads_for_pattern(None, None, None) for n in (q.subject, q.object)
             if isinstance(n, ox.NamedNode)}
    focus = set(foci[::2]) | set(sorted(nodes)[::50]) | {"not an IRI"}
    focused = seed.qc(queries, ontology, whole_build=True, focus=focus)
    assert sorted(focused) == sorted(f for f in whole if f.focus in focus)
    assert seed.qc(queries, ontology, whole_build=True, focus=set()) == []
    seed.drop_ontology()


def test_a_node_two_partitions_hold_as_their_own_is_found_shared() -> None:
    own, foreign, alone = (f"https://w3id.org/ctoc-kg/id/report/x/{n}" for n in ("own", "foreign", "alone"))
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(n), ox.NamedNode(ONTOLOGY + "p"), ox.Literal("v")) for n in (own, foreign, alone))
    checks = [PartitionCheck("", [], array("q", sorted(node_hash(n) for n in nodes)), foreign=named)
              for nodes, named in (([own, foreign], [foreign]), ([own, foreign, alone], []))]
    context = CheckContext.__new__(CheckContext)
    context.reference_nodes = frozenset()
    reference = PartitionCheck("", [], array("q"))
    assert shared_nodes(context, checks, reference, store) == {own, foreign}
    checks[1].foreign = [own]  # named by one of them: no need to list the store
    assert shared_nodes(context, checks, reference, ox.Store()) == {own, foreign}


def test_the_check_context_is_kept_and_rebuilt_when_the_shapes_change(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    reference = ("<https://w3id.org/ctoc-kg/id/state/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/ctoc-kg/ontology#State> .\n")
    shapes = tmp_path / "shapes"
    shutil.copytree(SHAPES_DIR, shapes)
    folder = tmp_path / "entry"
    folder.mkdir()
    built = context_cache.cached_context(folder, reference, shapes_dir=shapes, qc_dir=QC_DIR)
    [kept] = folder.glob("context-*.pickle")
    assert kept.name == f"context-{context_cache.context_digest(reference, shapes_dir=shapes)}.pickle"

    def refuse(*args: object, **kwargs: object) -> CheckContext:
        raise AssertionError("built again")

    with monkeypatch.context() as patch:
        patch.setattr(CheckContext, "build", refuse)
        loaded = context_cache.cached_context(folder, reference, shapes_dir=shapes, qc_dir=QC_DIR)
    assert loaded.reference_nt == built.reference_nt == reference
    assert len(loaded.shapes) == len(built.shapes) and loaded.qc == built.qc
    assert loaded.reference_nodes == built.reference_nodes == {"https://w3id.org/ctoc-kg/id/state/x",
                                                               ONTOLOGY + "State"}

    shape = sorted(shapes.glob("*.ttl"))[0]
    shape.write_text(shape.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(CheckContext, "build", refuse)
        with pytest.raises(AssertionError, match="built again"):
            context_cache.cached_context(folder, reference, shapes_dir=shapes, qc_dir=QC_DIR)
    context_cache.cached_context(folder, reference, shapes_dir=shapes, qc_dir=QC_DIR)
    [new] = folder.glob("context-*.pickle")
    assert new != kept, "the old context is replaced"
