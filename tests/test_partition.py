"""Per-partition checking (validate/partition.py) equals checking the whole graph: on the seed and on a 20-report
corpus (with damage of every kind spread over its partitions, some of it visible only across partitions), the
reference's and partitions' inferred triples make the whole closure, and the merged findings (partitions +
reference + corpus pass) are those of validate_graph, to the text of the report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, XSD

from kg_build.map.reference import ReferenceMapper
from kg_build.namespaces import CTOC, ID, OA
from kg_build.pipeline import build_graph
from kg_build.reason.closure import compute_closure, load_ontology
from kg_build.reference.entities import Registries
from kg_build.serialize import canonical_ntriples
from kg_build.store_terms import literal_table
from kg_build.validate import partition as partition_module
from kg_build.validate.on_store import INFERRED_GRAPH
from kg_build.validate.partition import (
    CheckContext,
    PartitionCheck,
    check_corpus,
    check_partition,
    check_reference,
    inferred_union,
)
from kg_build.validate.shapes import ValidationReport, format_text, validate_graph

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
YEAR = re.compile(r"(?<!\d)(19|20)(\d{2})(?!\d)")
CORPUS_REPORTS = 20
SHARED_DOC = ID["doc/TEST/SHARED/1"]


def write_reports(folder: Path, size: int) -> list[Path]:
    """`size` copies of the shipped report (text and metadata), copy k with its years moved k on: its own work."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for k in range(size):
        for seed in sorted(REPORTS.glob("*.zh.*")):
            target = folder / f"{seed.name.split('.')[0]}-c{k}{''.join(seed.suffixes)}"
            text = YEAR.sub(lambda m, k=k: str(int(m.group(0)) + k), seed.read_text(encoding="utf-8"))
            target.write_text(text, encoding="utf-8")
            texts += [target] if target.suffix == ".txt" else []
    return texts


def reference_graph() -> Graph:
    graph = Graph()
    ReferenceMapper(graph, Registries()).map_registries()
    return graph


def partition_of(report: Path, reference: Graph) -> Graph:
    """A work's partition: its build's triples minus the reference triples."""
    partition = Graph()
    for t in build_graph([report]).graph:
        if t not in reference:
            partition.add(t)
    return partition


def damage(k: int, partition: Graph, reference: Graph) -> None:
    """Break partition k in a way some shape or QC rule sees (k 4 and 5: only together, through a shared node)."""
    units = sorted(partition.subjects(CTOC.textAnchor, None))
    positions = sorted(partition.subjects(OA.start, None))
    states = sorted(reference.subjects(RDF.type, CTOC.State))
    if k == 0:
        partition.remove((units[3], CTOC.textAnchor, None))
    elif k == 1:
        partition.add((units[5], RDFS.label, Literal("又一个标签", lang="zh")))
    elif k == 2:
        partition.add((states[0], RDFS.label, Literal("第二个名称", lang="zh")))
    elif k == 3:
        partition.add((units[2], CTOC.madeUpProperty, Literal("x")))
    elif k in (4, 5):
        partition.add((SHARED_DOC, RDF.type, CTOC.Document))
        partition.add((SHARED_DOC, CTOC.symbol, Literal(f"TEST/SHARED/{k}")))  # one symbol each, two in all
        partition.add((SHARED_DOC, RDFS.label, Literal("Document", lang="en")))
        partition.add((units[1], CTOC.cites, SHARED_DOC))
    elif k == 6:
        partition.remove((positions[0], OA.start, None))
        partition.add((positions[0], OA.start, Literal("-1", datatype=XSD.integer)))
    elif k == 7:
        partition.add((units[4], CTOC.addressee, states[1]))


@dataclass
class Checked:
    merged: ValidationReport
    whole: ValidationReport
    inferred: str
    whole_inferred: str
    partitions: list[PartitionCheck]


def work_of(partition: Graph) -> str:
    """The IRI of the work a partition holds (its one ctoc:Report)."""
    [work] = partition.subjects(RDF.type, CTOC.Report)
    return str(work)


def no_scan(store: ox.Store) -> set[str]:
    raise AssertionError("the corpus pass listed the store's nodes: the partitions named every shared node")


def check_both_ways(reports: list[Path], damaged: bool) -> Checked:
    reference = reference_graph()
    partitions = [partition_of(report, reference) for report in reports]
    if damaged:
        for k, partition in enumerate(partitions):
            damage(k, partition, reference)
    context = CheckContext.build(canonical_ntriples(reference))
    checks = [check_partition(context, canonical_ntriples(p), work_of(p)) for p in partitions]
    reference_check = check_reference(context)
    whole = Graph()
    for graph in (reference, *partitions):
        for t in graph:
            whole.add(t)
    ontology = load_ontology()
    closure = compute_closure(whole, ontology)
    store = ox.Store()
    store.load(canonical_ntriples(whole), format=ox.RdfFormat.N_TRIPLES)
    store.load(canonical_ntriples(closure.inferred), format=ox.RdfFormat.N_TRIPLES, to_graph=INFERRED_GRAPH)
    with pytest.MonkeyPatch.context() as patch:  # shared nodes are named by the partitions, not found in the store
        patch.setattr(partition_module, "_store_nodes", no_scan)
        merged = check_corpus(context, store, checks, reference_check, literals=literal_table(whole))
    report = validate_graph(whole, ontology, whole_build=True, inputs=["kg.nt", "inferred.nt"])
    assert [note.split(" in ")[0] for note in report.notes] == [f"reasoned: {len(closure.inferred)} inferred triples"]
    report.notes = []  # the reasoning's note (its time): the build reasons before it validates
    assert len(store) == len(whole) + len(closure.inferred), "the corpus pass leaves the store as it was"
    return Checked(merged, report, inferred_union(reference_check, checks), canonical_ntriples(closure.inferred),
                   checks)


def test_the_seed_checked_per_partition_equals_the_whole() -> None:
    checked = check_both_ways(sorted(REPORTS.glob("*.txt")), damaged=False)
    assert checked.inferred == checked.whole_inferred and len(checked.inferred.splitlines()) > 1000
    assert checked.merged.findings == checked.whole.findings
    assert format_text(checked.merged) == format_text(checked.whole)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    return check_both_ways(write_reports(tmp_path_factory.mktemp("corpus"), CORPUS_REPORTS), damaged=True)


def test_a_corpus_checked_per_partition_has_the_whole_closure(corpus: Checked) -> None:
    assert corpus.inferred == corpus.whole_inferred
    assert len(corpus.inferred.splitlines()) > (CORPUS_REPORTS - 1) * 1000


def test_a_corpus_checked_per_partition_has_the_whole_findings(corpus: Checked) -> None:
    assert corpus.merged.findings == corpus.whole.findings
    assert format_text(corpus.merged) == format_text(corpus.whole)
    checks = {(f.check.rsplit("#", 1)[-1], f.component) for f in corpus.whole.findings}
    expected = {("qc:undeclared-term-violation", "undeclared-term-violation"),
                ("qc:domain-range-violation", "domain-range-violation"),
                ("Position-start", "DatatypeConstraintComponent"), ("reasoner:owl-rl", "OWL RL inconsistency"),
                ("Entity-label", "UniqueLangConstraintComponent"),
                ("AnchoredUnitShape/ctoc:textAnchor", "MinCountConstraintComponent")}
    assert expected <= checks, checks
    clash = {(f.check, f.component) for f in corpus.whole.findings
             if f.focus == str(SHARED_DOC) and f.component == "MaxCountConstraintComponent"}
    assert clash, "two partitions' symbols of one document clash only in the whole graph"
    assert not any((f.check, f.component) in clash for check in corpus.partitions for f in check.findings
                   if f.focus == str(SHARED_DOC))
