"""Validation on a pyoxigraph store: the asserted triples in the default graph, the closure in INFERRED_GRAPH
(as in the build's store, publish/store.py), the ontology in ONTOLOGY_GRAPH for the QC queries.

Reasoning (reason/store.py), the compiled shapes (compiled.py), the QC queries and the source quotes all read
the store, so a graph of a million triples is validated without an rdflib copy of it. An N-Triples file is
bulk-loaded as it is; the literals the store alters (store_terms.py) are read from the file once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.parsers.ntriples import unquote
from rdflib.term import Node

from kg_build.errors import InputError
from kg_build.namespaces import BASE, CTOC, OA
from kg_build.reason.closure import Closure, compute_store_closure
from kg_build.store_terms import CANONICAL, LiteralTable, literal_table, to_ox
from kg_build.validate.compiled import CompiledShapes, Evaluator
from kg_build.validate.findings import Finding
from kg_build.validate.qc import QcQuery, qc_findings

INFERRED_GRAPH = ox.NamedNode(BASE + "graph/inferred")  # as kg_build/publish/store.py
ONTOLOGY_GRAPH = ox.NamedNode(BASE + "graph/ontology")
SOURCE_LINKS = ("statedIn", "raisedIn", "mentionIn", "citingUnit", "listedIn")
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
TYPED_TRIPLE = re.compile(r'\s*(<[^>]*>|_:\S+)\s+<([^>]*)>\s+"((?:[^"\\]|\\.)*)"\^\^'
                          r'<(http://www\.w3\.org/2001/XMLSchema#[^>]+)>\s*\.\s*$')
Progress = Callable[[str], None]


@dataclass
class CheckStore:
    """A store to validate: its asserted triple count, the input's literals it altered, and where it lives."""

    store: ox.Store
    literals: LiteralTable
    triples: int

    @classmethod
    def from_graphs(cls, asserted: Graph, inferred: Graph | None = None) -> CheckStore:
        """An in-memory store of an rdflib graph (and its closure, when known)."""
        store = ox.Store()
        store.load(asserted.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
        checked = cls(store, literal_table(asserted), len(store))
        if inferred is not None:
            checked.add_inferred(inferred)
        return checked

    @classmethod
    def from_ntriples(cls, asserted: list[Path], inferred: Path | None = None, progress: Progress | None = None
                      ) -> CheckStore:
        """An in-memory store bulk-loaded from N-Triples files (a parse error is an InputError): in memory, the
        queries of a million-triple graph run several times faster than on disk, in about 1 GB."""
        store = ox.Store()
        loads = [(path, ox.DefaultGraph()) for path in asserted] + ([(inferred, INFERRED_GRAPH)] if inferred else [])
        for path, graph in loads:
            started = time.monotonic()
            before = len(store)
            _bulk_load(store, path, graph)
            if progress is not None:
                progress(f"read {len(store) - before} triples from {path} in {time.monotonic() - started:.1f} s")
        counted = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        table: LiteralTable = {}
        for path in asserted:
            table.update(literal_table_of_file(path))
        return cls(store, table, counted)

    def add_inferred(self, inferred: Iterable[tuple[Node, Node, Node]]) -> None:
        self.store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), INFERRED_GRAPH)  # type: ignore[arg-type]
                          for s, p, o in inferred)

    def reason(self, ontology: Graph, timeout: float, ontology_path: Path | str) -> Closure:
        """The closure of the asserted triples, added to INFERRED_GRAPH."""
        closure = compute_store_closure(self.store, ontology, timeout, ontology_path, literals=self.literals)
        self.add_inferred(closure.inferred)
        return closure

    def shacl(self, compiled: CompiledShapes, focus: set[str] | None = None, limited: bool = False
              ) -> list[Finding]:
        """The shapes' findings on asserted + inferred (only those about `focus` nodes when given; `limited`:
        the store asked about them only, for a few nodes of a large store: Evaluator.findings)."""
        evaluator = Evaluator(self.store, [ox.DefaultGraph(), INFERRED_GRAPH], self.literals)
        if focus is None:
            return evaluator.findings(compiled)
        return evaluator.findings(compiled, {URIRef(n) for n in focus}, limited)

    def qc(self, queries: list[QcQuery], ontology: Graph, *, whole_build: bool,
           notes: list[str] | None = None, focus: set[str] | None = None) -> list[Finding]:
        """The QC queries on asserted + ontology (the ontology's triples not already asserted); with `focus`,
        the per-report queries give only their rows about those nodes (QcQuery.focused) and the whole-build
        ones run whole."""
        self.drop_ontology()
        triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in ontology]  # type: ignore[arg-type]
        self.store.extend([ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in triples
                           if ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) not in self.store])
        return qc_findings(self.store, queries, whole_build=whole_build, notes=notes,
                           graphs=[ox.DefaultGraph(), ONTOLOGY_GRAPH], focus=focus)

    def drop_ontology(self) -> None:
        """Remove the ontology graph the QC queries added (leaving a build's store as it was)."""
        if ONTOLOGY_GRAPH in set(self.store.named_graphs()):
            self.store.remove_graph(ONTOLOGY_GRAPH)

    def quote(self, focus: str) -> str:
        """The exact words behind `focus`: its own anchor's quote or that of the unit it comes from."""
        try:
            node = ox.NamedNode(focus)
        except ValueError:  # not a valid IRI (an IRI syntax finding): it is not in the store
            return ""
        for candidate in self._anchored(node):
            for anchor in self._objects(candidate, CTOC + "textAnchor"):
                for selector in self._objects(anchor, OA + "hasSelector"):
                    exact = self._objects(selector, OA + "exact")
                    if exact:
                        return exact[0].value
        exact = self._objects(node, OA + "exact")
        return exact[0].value if exact else ""

    def _anchored(self, node: ox.NamedNode) -> list[ox.NamedNode]:
        found = [node]
        for link in [*(CTOC + name for name in SOURCE_LINKS), PROV_DERIVED]:
            found += self._objects(node, link)
        found += self._subjects(CTOC + "textAnchor", node)
        for anchor in self._subjects(OA + "hasSelector", node):
            found += self._subjects(CTOC + "textAnchor", anchor)
        return found

    def _objects(self, subject: ox.NamedNode, predicate: str) -> list:
        if not isinstance(subject, (ox.NamedNode, ox.BlankNode)):
            return []
        return sorted({q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)},
                      key=_quote_order)

    def _subjects(self, predicate: str, obj: ox.NamedNode) -> list:
        return sorted({q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), obj)},
                      key=_quote_order)


def _quote_order(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> tuple[bool, str]:
    """Chinese anchors (and their quotes) first, then by text: the same quote whatever the store's order."""
    text = term.value
    return (not (text.endswith("-zh") or getattr(term, "language", None) == "zh"), text)


def _bulk_load(store: ox.Store, path: Path, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    try:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    except FileNotFoundError:
        raise InputError(path, 0, "no such file") from None
    except OSError as err:
        raise InputError(path, 0, f"cannot read: {err.strerror or err}") from None
    except SyntaxError as err:
        line = re.search(r"line (\d+)", str(err))
        raise InputError(path, int(line.group(1)) if line else 0,
                         f"cannot parse as nt: {str(err).splitlines()[0]}") from None


def literal_table_of_file(path: Path) -> LiteralTable:
    """The LiteralTable of an N-Triples file: only its lines with an XSD literal the store would alter are read."""
    with path.open(encoding="utf-8") as handle:
        return literal_table_of_lines(handle)


def literal_table_of_lines(lines: Iterable[str]) -> LiteralTable:
    """The LiteralTable of N-Triples lines (see literal_table_of_file)."""
    triples = []
    for line in lines:
        if '"^^<http://www.w3.org/2001/XMLSchema#' not in line:
            continue
        found = TYPED_TRIPLE.match(line)
        if found is None:
            continue
        subject, predicate, lexical, datatype = found.groups()
        pattern = CANONICAL.get(URIRef(datatype))
        if pattern is not None and pattern.fullmatch(lexical):
            continue
        node = BNode(subject[2:]) if subject.startswith("_:") else URIRef(subject[1:-1])
        text = unquote(lexical) if "\\" in lexical else lexical
        triples.append((node, URIRef(predicate), Literal(text, datatype=URIRef(datatype))))
    return literal_table(triples)
