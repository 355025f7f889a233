"""Reasoning and validation per partition (one work's canonical N-Triples), once for the reference data, and a
corpus pass for what spans partitions; together the same closure and findings as validating the whole graph.

A partition is judged with the reference data beside it: its inferred triples are the closure of partition ∪
reference minus what the reference alone infers, and its findings are those about the nodes it mentions that
the reference does not. A node mentioned by two partitions, or by a partition and the reference, is *shared*:
its findings depend on triples the partition does not see, so the corpus pass drops them and judges those nodes
again on the build's store (shapes and QC queries limited to them), and runs the whole-build QC rules.
Each partition says which nodes it mentions as 64-bit hashes (8 bytes a node), so a thousand partitions cost
the main process a few megabytes, and names the nodes it mentions outside its own work IRI (its *foreign* nodes:
the meetings, sources, concepts... it points at): a shared node is one of those or a reference node, so the corpus
pass finds the shared nodes without listing the store's (it does only when a hash is left unnamed: a node two
partitions both hold as their own). Limit: an OWL RL inconsistency that needs triples of two partitions about a
shared node is not seen (each closure sees one partition and the reference).
"""

from __future__ import annotations

import hashlib
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg_build.reason.closure import ONTOLOGY_FILE, Closure, compute_closure, compute_store_closure, load_ontology
from kg_build.serialize import canonical_ntriples
from kg_build.store_terms import LiteralTable
from kg_build.validate.compiled import CompiledShapes
from kg_build.validate.findings import Finding
from kg_build.validate.on_store import INFERRED_GRAPH, CheckStore, literal_table_of_file, literal_table_of_lines
from kg_build.validate.qc import QC_DIR, WHOLE_BUILD, QcQuery, load_qc
from kg_build.validate.shapes import (
    ValidationReport,
    _sort_key,
    _with_quote,
    _without_iris,
    compiled_shapes,
    inconsistency_findings,
    iri_syntax_findings,
    load_shapes,
)


def node_hash(iri: str) -> int:
    """A node's 64-bit hash, the same in every process (Python's own hash is salted per process)."""
    return int.from_bytes(hashlib.blake2b(iri.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def mentioned(graph: Graph) -> set[str]:
    """The IRIs in subject or object position: the nodes a graph says something about."""
    return {str(n) for s, _, o in graph for n in (s, o) if isinstance(n, URIRef)}


def is_own(iri: str, work: str) -> bool:
    """Whether `iri` lies under the work IRI `work` (the work itself, or below it after "/" or "#")."""
    return bool(work) and (iri == work or iri.startswith((work + "/", work + "#")))


def foreign_nodes(nodes: set[str], work: str) -> list[str]:
    """The nodes outside the work IRI `work` (all of them when it is not given), sorted."""
    return sorted(n for n in nodes if not is_own(n, work))


def _hashes(nodes: set[str]) -> array:
    return array("q", sorted(node_hash(n) for n in nodes))


@dataclass
class CheckContext:
    """What every partition check needs, built once per process from the reference N-Triples text."""

    ontology: Graph
    shapes: Graph
    compiled: CompiledShapes
    qc: list[QcQuery]
    reference: Graph
    reference_closure: Closure
    reference_nodes: frozenset[str]
    reference_nt: str
    reference_literals: LiteralTable
    ontology_path: Path | str = ONTOLOGY_FILE

    @classmethod
    def build(cls, reference_nt: str, ontology: Graph | None = None, shapes: Graph | None = None,
              qc: list[QcQuery] | None = None, ontology_path: Path | str = ONTOLOGY_FILE) -> CheckContext:
        """Parse the reference, close it, compile the shapes: about a second, so each worker builds its own."""
        ontology = ontology if ontology is not None else load_ontology(Path(ontology_path))
        shapes = shapes if shapes is not None else load_shapes()
        reference = Graph().parse(data=reference_nt, format="nt")
        closure = compute_closure(reference, ontology, ontology_path=ontology_path)
        return cls(ontology, shapes, compiled_shapes(shapes), qc if qc is not None else load_qc(QC_DIR), reference,
                   closure, frozenset(mentioned(reference)), reference_nt,
                   literal_table_of_lines(reference_nt.splitlines()), ontology_path)

    @property
    def per_report_qc(self) -> list[QcQuery]:
        return [q for q in self.qc if q.scope != WHOLE_BUILD]


@dataclass
class PartitionCheck:
    """A partition's (or the reference's) inferred triples, findings, mentioned nodes (hashed) and the IRIs of
    those outside its work (see the module's docstring)."""

    inferred_nt: str
    findings: list[Finding]
    nodes: array = field(repr=False)
    triples: int = 0
    seconds: float = 0.0
    foreign: list[str] = field(default_factory=list, repr=False)


def check_partition(context: CheckContext, partition_nt: str, work: str = "") -> PartitionCheck:
    """Close and validate one partition (of the work IRI `work`: its nodes outside it are named) beside the
    reference data (see the module's docstring), on a pyoxigraph store; a partition pyoxigraph refuses (an IRI
    that RDF forbids) is read by rdflib, which reports it."""
    started = time.perf_counter()
    try:
        triples = list(ox.parse(partition_nt, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        return _check_partition_rdflib(context, partition_nt, work, started)
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    store.load(context.reference_nt, format=ox.RdfFormat.N_TRIPLES)
    literals = {**context.reference_literals, **literal_table_of_lines(partition_nt.splitlines())}
    closure = compute_store_closure(store, context.ontology, ontology_path=context.ontology_path, literals=literals)
    checked = CheckStore(store, literals, len(store))
    checked.add_inferred(closure.inferred)
    nodes = {n.value for t in triples for n in (t.subject, t.object) if isinstance(n, ox.NamedNode)}
    findings = _partition_findings(context, checked, closure, nodes)
    return PartitionCheck(_new_inferred(context, closure), findings, _hashes(nodes), len(triples),
                          time.perf_counter() - started, foreign_nodes(nodes, work))


def _new_inferred(context: CheckContext, closure: Closure) -> str:
    """The closure's triples the reference alone does not infer, as canonical N-Triples."""
    reference_inferred = context.reference_closure.inferred
    inferred = Graph()
    for t in closure.inferred:
        if t not in reference_inferred:
            inferred.add(t)
    return canonical_ntriples(inferred)


def _partition_findings(context: CheckContext, checked: CheckStore, closure: Closure, nodes: set[str]
                        ) -> list[Finding]:
    """The inconsistencies the reference alone does not have, the shapes' findings about the nodes only the
    partition mentions, and the per-report QC rules' findings not about reference nodes."""
    known = set(context.reference_closure.inconsistencies)
    findings = inconsistency_findings(Closure(Graph(), [e for e in closure.inconsistencies if e not in known]))
    findings += checked.shacl(context.compiled, nodes - context.reference_nodes)
    findings += [f for f in checked.qc(context.per_report_qc, context.ontology, whole_build=False)
                 if f.focus not in context.reference_nodes]
    return sorted(set(findings))


def _check_partition_rdflib(context: CheckContext, partition_nt: str, work: str, started: float
                            ) -> PartitionCheck:
    """check_partition for a partition with IRIs that RDF forbids: rdflib reads it and they become findings."""
    partition = Graph().parse(data=partition_nt, format="nt")
    syntax = iri_syntax_findings(partition)
    partition = _without_iris(partition, {f.focus for f in syntax})
    data = Graph()
    for graph in (partition, context.reference):
        for t in graph:
            data.add(t)
    closure = compute_closure(data, context.ontology, ontology_path=context.ontology_path)
    checked = CheckStore.from_graphs(data, closure.inferred)
    nodes = mentioned(partition)
    findings = sorted(set(syntax + _partition_findings(context, checked, closure, nodes)))
    return PartitionCheck(_new_inferred(context, closure), findings, _hashes(nodes), len(partition),
                          time.perf_counter() - started, foreign_nodes(nodes, work))


def check_reference(context: CheckContext) -> PartitionCheck:
    """The reference data alone: its closure, its findings (the per-report QC rules included), its nodes."""
    started = time.perf_counter()
    closure = context.reference_closure
    findings = iri_syntax_findings(context.reference) + inconsistency_findings(closure)
    checked = CheckStore.from_graphs(context.reference, closure.inferred)
    findings += checked.shacl(context.compiled)
    findings += checked.qc(context.per_report_qc, context.ontology, whole_build=False)
    return PartitionCheck(canonical_ntriples(closure.inferred), sorted(set(findings)),
                          _hashes(set(context.reference_nodes)), len(context.reference), time.perf_counter() - started)


def shared_hashes(partitions: list[PartitionCheck], reference: PartitionCheck) -> set[int]:
    """The hashes of the nodes mentioned by two partitions, or by a partition and the reference."""
    counts: Counter[int] = Counter()
    for check in partitions:
        counts.update(check.nodes)
    in_reference = set(reference.nodes)
    return {h for h, n in counts.items() if n > 1 or h in in_reference}


def shared_nodes(context: CheckContext, partitions: list[PartitionCheck], reference: PartitionCheck,
                 store: ox.Store) -> set[str]:
    """The IRIs of the shared nodes: the partitions' foreign nodes and the reference's whose hash is shared; the
    store is listed only when some shared hash is left unnamed (a node two partitions both hold as their own)."""
    ids = shared_hashes(partitions, reference)
    named = set(context.reference_nodes).union(*(check.foreign for check in partitions))
    shared = {n for n in named if node_hash(n) in ids}
    if len(ids) > len(shared):
        shared |= {n for n in _store_nodes(store) if node_hash(n) in ids}
    return shared


def check_corpus(context: CheckContext, store: ox.Store, partitions: list[PartitionCheck],
                 reference: PartitionCheck, asserted_file: Path | None = None,
                 literals: LiteralTable | None = None, inputs: tuple[str, ...] = ("kg.nt", "inferred.nt"),
                 triples: int | None = None) -> ValidationReport:
    """The build's report: the partitions' and the reference's findings, minus those about shared nodes, plus
    those nodes judged again on `store` (asserted in the default graph, inferred in INFERRED_GRAPH, as
    publish/store.py writes it; the ontology is added to a graph of its own for the QC queries and removed after):
    shapes and per-report QC rules limited to them, and the whole-build QC rules; each finding with its source
    quote. `asserted_file` (kg.nt) or `literals` gives the literals the store altered; `triples` the number of
    asserted triples (counted on the store when not given)."""
    table = literals if literals is not None else (literal_table_of_file(asserted_file) if asserted_file else {})
    if triples is None:
        triples = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    checked = CheckStore(store, table, triples)
    shared = shared_nodes(context, partitions, reference, store)
    findings = {f for check in [*partitions, reference] for f in check.findings if f.focus not in shared}
    if shared:
        findings.update(checked.shacl(context.compiled, shared, limited=True))
    whole = {q.check for q in context.qc if q.scope == WHOLE_BUILD}
    qc = checked.qc(context.qc, context.ontology, whole_build=True, focus=shared)
    findings.update(f for f in qc if f.check in whole or f.focus in shared)
    checked.drop_ontology()
    quoted = [_with_quote(checked.quote, f) for f in findings]
    return ValidationReport(list(inputs), triples, sorted(set(quoted), key=_sort_key), [])


def _store_nodes(store: ox.Store) -> set[str]:
    """Every IRI in subject or object position of the store's asserted triples."""
    query = "SELECT DISTINCT ?n WHERE { { ?n ?p ?o } UNION { ?s ?p ?n } FILTER (isIRI(?n)) }"
    return {row[0].value for row in store.query(query)}


def inferred_union(reference: PartitionCheck, partitions: list[PartitionCheck]) -> str:
    """The build's inferred triples as canonical sorted N-Triples: the union of the checks' inferred texts."""
    lines = {line for check in [reference, *partitions] for line in check.inferred_nt.splitlines() if line}
    return "".join(line + "\n" for line in sorted(lines))


__all__ = ["INFERRED_GRAPH", "CheckContext", "PartitionCheck", "check_corpus", "check_partition", "check_reference",
           "inferred_union", "node_hash"]
