"""The build's persistent pyoxigraph store (``store/`` in the build folder), written once from ``kg.nt`` and
``inferred.nt`` so that publishing, ``query``, ``stats`` and ``serve`` read one indexed store instead of
parsing the dumps again.

Layout: the asserted triples of ``kg.nt`` in the default graph, the inferred triples of ``inferred.nt`` in
the named graph ``INFERRED_GRAPH``. Queries that want what a SPARQL user sees (asserted and inferred) run
with ``use_default_graph_as_union=True``; publishing tells the two apart by graph.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg_build.namespaces import BASE

STORE_DIR = "store"
ASSERTED_FILE = "kg.nt"
INFERRED_FILE = "inferred.nt"
INFERRED_GRAPH = ox.NamedNode(BASE + "graph/inferred")


def write_store(folder: Path) -> Path:
    """Bulk-load ``folder/kg.nt`` (default graph) and ``folder/inferred.nt`` (``INFERRED_GRAPH``, when present)
    into a new store at ``folder/store``; return its path. Memory stays flat: bulk loading streams the files."""
    path = folder / STORE_DIR
    store = ox.Store(str(path))
    store.bulk_load(path=str(folder / ASSERTED_FILE), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.DefaultGraph())
    if (folder / INFERRED_FILE).is_file():
        store.add_graph(INFERRED_GRAPH)  # present even when empty: the build reasoned
        store.bulk_load(path=str(folder / INFERRED_FILE), format=ox.RdfFormat.N_TRIPLES, to_graph=INFERRED_GRAPH)
    store.flush()
    del store  # closes the database, so that read-only openers see it whole
    return path


def open_store(folder: Path) -> ox.Store:
    """The store a build wrote into `folder`, opened read-only (several processes may open it at once)."""
    return ox.Store.read_only(str(folder / STORE_DIR))


def has_store(folder: Path) -> bool:
    """True when `folder` holds a store written by a build."""
    return (folder / STORE_DIR).is_dir()
