"""Summaries of a graph: text units per kind, entities per class, triple count."""

from __future__ import annotations

from collections import Counter

from rdflib import Graph
from rdflib.namespace import RDF

from kg_build.namespaces import CTOC


def class_counts(graph: Graph) -> Counter[str]:
    """Instances per ctoc: class (local name), asserted types only."""
    counts: Counter[str] = Counter()
    for _, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, type(CTOC.Report)) and str(cls).startswith(str(CTOC)):
            counts[str(cls)[len(str(CTOC)) :]] += 1
    return counts


def format_summary(graph: Graph, seconds: float | None = None) -> str:
    """A short aligned table: one row per class, then triples (and build time when given)."""
    counts = class_counts(graph)
    width = max([len(k) for k in counts] + [len("triples")])
    rows = [f"  {name:<{width}}  {count:>7}" for name, count in sorted(counts.items())]
    rows.append(f"  {'triples':<{width}}  {len(graph):>7}")
    if seconds is not None:
        rows.append(f"  {'seconds':<{width}}  {seconds:>7.2f}")
    return "\n".join(rows)
