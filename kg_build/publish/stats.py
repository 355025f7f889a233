"""Summaries of a build: entities per ctoc: class and the triple count, counted by SPARQL on a pyoxigraph store
(the build's persistent store, or one loaded from kg.nt), asserted triples only."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from kg_build.namespaces import CTOC
from kg_build.publish.store import ASSERTED_FILE, has_store, open_store

CLASS_COUNTS = f"""SELECT ?c (COUNT(*) AS ?n) WHERE {{
  ?s a ?c FILTER(isIRI(?c) && STRSTARTS(STR(?c), "{CTOC}"))
}} GROUP BY ?c"""
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def class_counts(store: ox.Store) -> Counter[str]:
    """Instances per ctoc: class (local name), asserted types only (the store's default graph)."""
    return Counter({row["c"].value[len(str(CTOC)):]: int(row["n"].value)  # type: ignore[index, union-attr]
                    for row in store.query(CLASS_COUNTS)})  # type: ignore[union-attr]


def triple_count(store: ox.Store) -> int:
    """Asserted triples (the store's default graph)."""
    return int(next(iter(store.query(TRIPLES)))["n"].value)  # type: ignore[index, union-attr, call-overload]


def format_summary(store: ox.Store, seconds: float | None = None) -> str:
    """A short aligned table: one row per class, then triples (and build time when given)."""
    counts = class_counts(store)
    width = max([len(k) for k in counts] + [len("triples")])
    rows = [f"  {name:<{width}}  {count:>7}" for name, count in sorted(counts.items())]
    rows.append(f"  {'triples':<{width}}  {triple_count(store):>7}")
    if seconds is not None:
        rows.append(f"  {'seconds':<{width}}  {seconds:>7.2f}")
    return "\n".join(rows)


def summary_store(dist: Path) -> ox.Store:
    """The store to summarise a build from: its persistent store read-only, else kg.nt loaded in memory."""
    if has_store(dist):
        return open_store(dist)
    store = ox.Store()
    store.bulk_load(path=str(dist / ASSERTED_FILE), format=ox.RdfFormat.N_TRIPLES)
    return store
