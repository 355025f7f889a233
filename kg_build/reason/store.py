"""The fast engine's closure (fast.py) over a pyoxigraph store: the same rules and the same answers, the
asserted triples read per predicate with ``quads_for_pattern`` instead of from an rdflib graph.

Only the triples the rules read are turned into rdflib terms (those of the properties with property axioms,
domains or ranges, rdf:type, schema statements and typed literals), and the triples of the typing properties
are streamed, not kept, so a graph of a million triples is closed without an rdflib copy of it. Literals the
store altered (store_terms.py) are read from the LiteralTable, so the datatype rules see the input's literals.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg_build.reason.fast import (
    _DATATYPES,
    ANNOTATIONS,
    AXIOM_PREDICATES,
    CHARACTERISTICS,
    CHECK_EVERY,
    DERIVING,
    SCHEMA,
    TARGET,
    TYPE,
    TYPING,
    Triple,
    _built_in,
    _check,
    _predicate_kinds,
    close,
    collect,
    ensure_supported,
    read_schema,
    schema_triples,
)
from kg_build.store_terms import LiteralTable, originals, to_ox, to_rdflib

GraphName = ox.NamedNode | ox.DefaultGraph


class StoreTriples:
    """The triples of one graph of a store, per predicate, as rdflib terms (altered literals restored)."""

    def __init__(self, store: ox.Store, graph: GraphName, literals: LiteralTable | None = None) -> None:
        self.store, self.graph, self.literals = store, graph, literals or {}

    def triples(self, predicate: Node, obj: Node | None = None) -> Iterator[Triple]:
        p = to_ox(predicate)
        o = to_ox(obj) if obj is not None else None
        for quad in self.store.quads_for_pattern(None, p, o, self.graph):
            s = to_rdflib(quad.subject)
            for value in originals(self.literals, quad.subject, p, quad.object):  # type: ignore[arg-type]
                yield s, predicate, value

    def predicates(self) -> list[URIRef]:
        """The distinct predicates of the graph."""
        query = f"SELECT DISTINCT ?p WHERE {{ {self._pattern()} }}"
        return sorted(URIRef(row[0].value) for row in self.store.query(query))

    def _pattern(self) -> str:
        return "?s ?p ?o" if isinstance(self.graph, ox.DefaultGraph) else f"GRAPH {self.graph} {{ ?s ?p ?o }}"

    def typed_literals(self, deadline: float) -> set[Node]:
        """The literals whose datatype is an OWL RL datatype, as the input wrote them."""
        query = (f"SELECT ?s ?p ?o WHERE {{ {self._pattern()} FILTER (isLiteral(?o) && LANG(?o) = \"\" && "
                 "DATATYPE(?o) != <http://www.w3.org/2001/XMLSchema#string>) }")
        found: set[Node] = set()
        for n, row in enumerate(self.store.query(query)):
            if n % CHECK_EVERY == 0:
                _check(deadline)
            found.update(v for v in originals(self.literals, row[0], row[1], row[2]) if v.datatype in _DATATYPES)
        for keys in self.literals.values():  # explicit xsd:string literals (the store merges them with plain ones)
            found.update(v for v in keys if v.datatype == XSD.string)
        return found


def store_closure(store: ox.Store, ontology: Graph, deadline: float, ontology_path: Path | str = "ontology",
                  graph: GraphName | None = None, literals: LiteralTable | None = None
                  ) -> tuple[list[Triple], list[str]]:
    """fast_closure of the triples of `graph` (default: the default graph) of `store` under `ontology`: the triples
    the closure adds (before the trim) and its inconsistencies. Raises UnsupportedAxiom, Deadline as fast.py."""
    ensure_supported(ontology, ontology_path)
    view = StoreTriples(store, graph if graph is not None else ox.DefaultGraph(), literals)
    axioms = [t for p in AXIOM_PREDICATES for t in view.triples(p)]
    axioms += [t for c in CHARACTERISTICS for t in view.triples(RDF.type, c)]
    schema = read_schema([*schema_triples(ontology), *axioms])
    facts = collect((ontology,), schema, deadline)
    kinds = _predicate_kinds(schema)
    typing: list[URIRef] = []
    for p in view.predicates():
        _check(deadline)
        kind = kinds.get(p)
        if kind is None:
            kind = SCHEMA if _built_in(p) and p not in ANNOTATIONS else 0
        if kind & TYPE:
            for t in view.triples(p):
                facts.types[t[0]].add(t[2])
                if _built_in(t[2]):
                    facts.schema.append(t)
        elif kind & DERIVING:
            facts.deriving.update(view.triples(p))
        elif kind & TYPING:
            typing.append(p)
        elif kind & SCHEMA:
            facts.schema.extend(view.triples(p))
        if kind & TARGET:
            facts.targets.update(view.triples(p))
    facts.literals |= view.typed_literals(deadline)
    return close(facts, schema, deadline, typing=(t for p in typing for t in view.triples(p)))
