"""`ctoc-kg push`: load the build into any SPARQL 1.1 store, replacing one named graph atomically.

1. upload the graph (dist/kg.nt and dist/inferred.nt) into a staging graph, and the dataset metadata
   (dist/void.ttl) into a second staging graph, in bounded chunks: SPARQL `INSERT DATA` (or Graph Store
   Protocol POSTs with --store-protocol), retried when transient;
2. check both staging graphs' triple counts;
3. swap with ONE update request: `DROP SILENT GRAPH <g> ; MOVE SILENT GRAPH <staging> TO GRAPH <g>`, and the
   same for the metadata graph <g/metadata>. One request is one transaction in Oxigraph (documented) and
   in Virtuoso (checked by tests/test_push.py), so the store holds the old graphs or the new ones, never a mix;
4. read the counts back. A failed swap is never retried blindly: the counts say whether it happened.
Before the swap any failure drops the staging graphs and leaves the store as it was. Redirects are failures.
The metadata goes to its own graph so that <g> holds exactly what `ctoc-kg query` answers from.
"""

from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg_build.errors import UsageError
from kg_build.progress import Progress
from kg_build.sparql.client import BODY_BYTES, Endpoint, EndpointError, http_error
from kg_build.sparql.query import data_files
from kg_build.sparql.terms import checked_iri, to_ntriples

METADATA_FILE = "void.ttl"
CHUNK_BYTES = 200_000  # per request: Virtuoso refuses very large single updates
CHUNK_TRIPLES = 1_000  # Virtuoso generates ~5 lines of SQL per triple and refuses over 10,000 lines


@dataclass
class PushResult:
    """What a push did: the graph, how many triples it holds now, and in how many chunks they went."""

    graph: str
    triples: int
    chunks: int
    metadata_graph: str = ""
    metadata_triples: int = 0


def staging_graph(graph: str) -> str:
    """The staging graph of `graph`: a fixed name, so a push can clean up what a killed push left."""
    return "urn:x-ctoc-kg:staging:" + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:24]


def data_lines(dist: Path) -> list[str]:
    """The graph's N-Triples lines (kg.nt and inferred.nt), sorted and unique."""
    lines: set[str] = set()
    for path in data_files(dist):
        with path.open(encoding="utf-8") as handle:
            lines.update(_safe(line.strip()) for line in handle if line.strip() and not line.lstrip().startswith("#"))
    return sorted(lines)


def metadata_lines(dist: Path) -> list[str]:
    """dist/void.ttl as sorted N-Triples lines (empty when the build wrote none)."""
    metadata = dist / METADATA_FILE
    if not metadata.is_file():
        return []
    graph = Graph()
    with metadata.open("rb") as handle:
        graph.parse(handle, format="turtle")
    return sorted({" ".join(to_ntriples(term) for term in triple) + " ." for triple in graph})


def _safe(line: str) -> str:
    """A line rewritten through our serializer when it holds a backslash-u that a SPARQL parser might expand."""
    if "\\u" not in line and "\\U" not in line:
        return line
    graph = Graph()
    graph.parse(data=line, format="nt")
    (triple,) = graph
    return " ".join(to_ntriples(term) for term in triple) + " ."


def chunks(lines: Sequence[str], max_bytes: int = CHUNK_BYTES, max_triples: int = CHUNK_TRIPLES) -> Iterator[list[str]]:
    """Lines in bounded chunks; every line holding a blank node goes in one chunk of its own, since each
    INSERT DATA request makes its blank nodes fresh."""
    with_bnodes = [line for line in lines if _has_bnode(line)]
    plain = [line for line in lines if not _has_bnode(line)]
    chunk: list[str] = []
    size = 0
    for line in plain:
        if chunk and (size + len(line.encode("utf-8")) > max_bytes or len(chunk) >= max_triples):
            yield chunk
            chunk, size = [], 0
        chunk.append(line)
        size += len(line.encode("utf-8")) + 1
    if chunk:
        yield chunk
    if with_bnodes:
        yield with_bnodes


def _has_bnode(line: str) -> bool:
    """True when an N-Triples line has a blank node as subject or object (a literal ending in `_:x"@en` may
    count too: that only moves it to the blank-node chunk)."""
    if line.startswith("_:"):
        return True
    tail = line.rstrip(" .")
    return tail.rsplit(" ", 1)[-1].startswith("_:") and not tail.endswith('"')


class Store:
    """The two or three URLs of one store: SPARQL update, SPARQL query, and optionally Graph Store Protocol."""

    def __init__(self, update: Endpoint, query: Endpoint, store_protocol: str | None = None) -> None:
        self.update = update
        self.query = query
        self.store_protocol = store_protocol

    def upload(self, graph: str, lines: list[str]) -> None:
        """Add lines to a graph: GSP POST when a store-protocol URL is given, else INSERT DATA; retried."""
        if self.store_protocol:
            self._gsp_post(graph, lines)
            return
        iri = to_ntriples(checked_iri(graph))
        self.update.update(f"INSERT DATA {{ GRAPH {iri} {{\n" + "\n".join(lines) + "\n} }")

    def _gsp_post(self, graph: str, lines: list[str]) -> None:
        """SPARQL 1.1 Graph Store Protocol: POST N-Triples to ?graph=IRI (appends); no redirects followed."""
        separator = "&" if "?" in self.store_protocol else "?"
        url = f"{self.store_protocol}{separator}{urllib.parse.urlencode({'graph': graph})}"
        data = ("\n".join(lines) + "\n").encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/n-triples"})
        opener = self.update._opener()
        for attempt in range(self.update.retries + 1):
            try:
                with opener.open(request, timeout=self.update.timeout) as response:
                    response.read()
                return
            except urllib.error.HTTPError as err:
                with err:
                    error = http_error(url, err.code, err.reason, err.read(BODY_BYTES))
                if not error.transient or attempt == self.update.retries:
                    raise error from None
            except (TimeoutError, ConnectionError, urllib.error.URLError, http.client.HTTPException) as err:
                if attempt == self.update.retries:
                    raise EndpointError(f"{url}: {err}") from None


def metadata_graph(graph: str) -> str:
    """The graph the dataset metadata (VoID/DCAT) goes to, beside <graph>."""
    return graph.rstrip("/#") + "/metadata"


def push(dist: Path, store: Store, graph: str, progress: Callable[[str], None] = lambda _: None,
         stages: Progress | None = None) -> PushResult:
    """Replace `graph` (and its metadata graph) in `store` with the build in `dist`, atomically; raise
    UsageError on any failure. `progress` hears a line per event (each chunk staged); `stages` shows a bar per
    staging graph on a terminal, else a line per stage."""
    stages = stages or Progress(quiet=True)
    graph = str(checked_iri(graph))
    meta = metadata_graph(graph)
    plan = [(graph, staging_graph(graph), data_lines(dist)), (meta, staging_graph(meta), metadata_lines(dist))]
    chunk_count = 0
    try:
        for _, staging, lines in plan:
            store.update.update(f"DROP SILENT GRAPH {_iri(staging)}")
            parts = list(chunks(lines))
            with stages.stage(f"push: staged <{staging}>", total=len(parts), unit="chunk") as stage:
                for number, part in enumerate(parts, 1):
                    store.upload(staging, part)
                    progress(f"staged chunk {number}/{len(parts)} ({len(part)} triples) of <{staging}>")
                    stage.advance()
                stage.note(f"{len(lines):,} triples")
            chunk_count += len(parts)
            staged = store.query.count(staging)
            if staged != len(lines):
                raise UsageError(f"staging graph <{staging}> holds {staged} triples, expected {len(lines)}")
        progress("staging graphs verified; swapping")
    except (UsageError, OSError) as err:
        _drop_quietly(store, [staging for _, staging, _ in plan])
        raise UsageError(f"push failed before the swap; <{graph}> was left as it was: {err}") from None
    swap = " ;\n".join(f"DROP SILENT GRAPH {_iri(target)} ;\nMOVE SILENT GRAPH {_iri(staging)} TO GRAPH {_iri(target)}"
                       for target, staging, _ in plan)
    try:
        with stages.stage("push: swapped the staging graphs in"):
            store.update.update(swap, retries=0)
    except (UsageError, OSError) as err:
        # A 5xx or a timeout may hide a completed swap: the counts tell which graphs the store holds.
        if not _swapped(store, plan):
            _drop_quietly(store, [staging for _, staging, _ in plan])
            raise UsageError(f"swap failed; <{graph}> holds the old graph (one transaction): {err}") from None
    for target, staging, lines in plan:
        final = store.query.count(target)
        if final != len(lines) or store.query.count(staging) != 0:
            raise UsageError(f"after the swap <{target}> holds {final} triples, expected {len(lines)}")
    return PushResult(graph=graph, triples=len(plan[0][2]), chunks=chunk_count, metadata_graph=meta,
                      metadata_triples=len(plan[1][2]))


def _iri(iri: str) -> str:
    """An IRI checked and written for SPARQL."""
    return to_ntriples(checked_iri(iri))


def _swapped(store: Store, plan: list[tuple[str, str, list[str]]]) -> bool:
    """After an unclear swap: True when every new graph is in place and every staging graph gone."""
    try:
        return all(store.query.count(target) == len(lines) and store.query.count(staging) == 0
                   for target, staging, lines in plan)
    except (UsageError, OSError) as err:
        raise UsageError(f"swap outcome unknown (the store holds the old or the new graph, not a mix): {err}") from None


def _drop_quietly(store: Store, stagings: list[str]) -> None:
    """Best effort: remove the staging graphs after a failure (the server may be gone)."""
    try:
        store.update.update(" ;\n".join(f"DROP SILENT GRAPH {_iri(staging)}" for staging in stagings), retries=0)
    except (UsageError, OSError):
        pass
