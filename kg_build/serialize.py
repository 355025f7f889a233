"""Graphs as text, the same way for every stage that writes one: sorted canonical N-Triples (byte-identical
for the same graph) and readable Turtle with the project's prefixes."""

from __future__ import annotations

from rdflib import Graph

from kg_build.namespaces import bind_prefixes


def canonical_ntriples(graph: Graph) -> str:
    """N-Triples with one triple a line, lines sorted: byte-identical for the same graph."""
    lines = {line for line in graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines() if line}
    return "".join(line + "\n" for line in sorted(lines))


def turtle(graph: Graph) -> str:
    """Readable Turtle with the project's prefixes (rdflib sorts subjects and predicates)."""
    return bind_prefixes(graph).serialize(format="turtle")
