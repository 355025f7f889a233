"""Publication dumps of a build, streamed from its sorted N-Triples files (``kg.nt``, ``inferred.nt``):
TriG and N-Quads (one named graph per report, one for registry facts, one for inferred triples), Turtle,
RDF/XML and JSON-LD compacted with ``ontology/context.jsonld``.

No writer holds the whole graph: the triple formats are pyoxigraph serializers fed by pyoxigraph's streaming
parser, N-Quads is kg.nt line by line with the graph appended, TriG groups the lines per graph through a few
bucket files, JSON-LD compacts batches of whole subjects. Every order comes from the sorted input files (or
a sort by graph), so the same build gives byte-identical files whatever the hash seed.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context

from kg_build.namespaces import BASE, PREFIXES, bind_prefixes
from kg_build.paths import ONTOLOGY_DIR
from kg_build.publish.store import ASSERTED_FILE, INFERRED_FILE
from kg_build.sparql.terms import from_oxigraph

CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
CONTEXT_URL = BASE + "ontology/context.jsonld"
REGISTRIES_GRAPH = URIRef(BASE + "graph/registries")
INFERRED_GRAPH = URIRef(BASE + "graph/inferred")
# Prefixes of the Turtle, TriG and RDF/XML dumps: the project's, except ``id:`` (its IRIs hold slashes,
# which a prefixed name would have to escape: ``id:report\/wg\/...``).
DUMP_PREFIXES: dict[str, str] = {prefix: str(ns) for prefix, ns in PREFIXES.items() if prefix != "id"}
BUCKETS = 64  # TriG: the asserted lines are spread over this many files by graph, each sorted in memory
JSONLD_BATCH = 50_000  # JSON-LD: triples (whole subjects) compacted at once

MEDIA_TYPES: dict[str, str] = {
    ".nt": "application/n-triples",
    ".ttl": "text/turtle",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
}


@dataclass(frozen=True)
class Dump:
    """One written dump file: its name in the output folder, media type, size, digest and triple count."""

    name: str
    media_type: str
    byte_size: int
    sha256: str
    triples: int


@cache
def load_context(path: Path = CONTEXT_FILE) -> dict[str, Any]:
    """The JSON-LD context as a dict (never fetched: rdflib would download a context given by URL)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data["@context"])


class ReportGraphs:
    """The named graph of a triple by its subject: its report's graph when the subject lies under a report
    IRI (the report, its units and what they say; the longest report IRI wins), else the registries graph.
    A lookup cuts the subject at each ``/`` and ``#`` and tests the cuts against a set: no loop over reports."""

    def __init__(self, reports: Iterable[str]) -> None:
        self.reports = frozenset(str(r) for r in reports)

    def graph_of(self, subject: str) -> str:
        """The graph IRI for a subject IRI."""
        if subject in self.reports:
            return subject
        cut = len(subject)
        while cut > 0:
            cut = max(subject.rfind("/", 0, cut), subject.rfind("#", 0, cut))
            if cut > 0 and subject[:cut] in self.reports:
                return subject[:cut]
        return str(REGISTRIES_GRAPH)

    def graphs(self, inferred: bool) -> list[str]:
        """Every named graph of the quad dumps, sorted (the inferred one when there are inferred triples)."""
        return sorted(self.reports | {str(REGISTRIES_GRAPH)} | ({str(INFERRED_GRAPH)} if inferred else set()))


def graph_for(subject: URIRef, reports: Iterable[URIRef]) -> URIRef:
    """The named graph of a triple whose subject is `subject` (see `ReportGraphs`)."""
    return URIRef(ReportGraphs(reports).graph_of(str(subject)))


def subject_of(line: str) -> str:
    """The subject IRI (or blank node label) of an N-Triples line."""
    term = line[: line.index(" ")]
    return term[1:-1] if term.startswith("<") else term


def ntriples_lines(path: Path) -> Iterator[str]:
    """The non-empty lines of an N-Triples file, each with its newline."""
    with path.open(encoding="utf-8", newline="\n") as handle:
        for line in handle:
            if line.strip():
                yield line if line.endswith("\n") else line + "\n"


def as_quad(line: str, graph: str) -> str:
    """An N-Triples line as an N-Quads line in `graph`."""
    return f"{line.rstrip()[:-1].rstrip()} <{graph}> .\n"


def write_nquads(folder: Path, graphs: ReportGraphs, name: str = "kg.nq") -> int:
    """N-Quads, one quad a line, lines sorted (kg.nt and inferred.nt are sorted: a merge keeps them so);
    return the number of quads."""
    asserted = (as_quad(line, graphs.graph_of(subject_of(line))) for line in ntriples_lines(folder / ASSERTED_FILE))
    streams = [asserted]
    if (folder / INFERRED_FILE).is_file():
        streams.append(as_quad(line, str(INFERRED_GRAPH)) for line in ntriples_lines(folder / INFERRED_FILE))
    count = 0
    with (folder / name).open("w", encoding="utf-8", newline="\n") as out:
        for quad in heapq.merge(*streams):
            out.write(quad)
            count += 1
    return count


def triples_by_graph(folder: Path, graphs: ReportGraphs) -> Iterator[tuple[str, Iterator[ox.Triple]]]:
    """(graph IRI, its triples in kg.nt order) for every non-empty named graph, graphs sorted. kg.nt is
    spread over bucket files by graph (each bucket a range of the sorted graphs), then grouped in memory one
    bucket at a time; the inferred graph is inferred.nt, streamed as it is."""
    inferred = (folder / INFERRED_FILE).is_file()
    order = graphs.graphs(inferred)
    index = {graph: i for i, graph in enumerate(order)}
    with tempfile.TemporaryDirectory(prefix=".trig-", dir=folder) as tmp:
        buckets = [Path(tmp) / f"{b}.txt" for b in range(BUCKETS)]
        handles: dict[int, IO[str]] = {}
        try:
            for line in ntriples_lines(folder / ASSERTED_FILE):
                i = index[graphs.graph_of(subject_of(line))]
                bucket = i * BUCKETS // len(order)
                if bucket not in handles:
                    handles[bucket] = buckets[bucket].open("w", encoding="utf-8", newline="\n")
                handles[bucket].write(f"{i}\t{line}")
        finally:
            for handle in handles.values():
                handle.close()
        current, grouped = -1, {}
        for i, graph in enumerate(order):
            if graph == str(INFERRED_GRAPH):
                yield graph, ox.parse(path=folder / INFERRED_FILE, format=ox.RdfFormat.N_TRIPLES)
                continue
            bucket = i * BUCKETS // len(order)
            if bucket != current:
                current, grouped = bucket, read_bucket(buckets[bucket]) if bucket in handles else {}
            if i in grouped:
                text = "".join(grouped.pop(i)).encode("utf-8")
                yield graph, ox.parse(text, ox.RdfFormat.N_TRIPLES)


def read_bucket(path: Path) -> dict[int, list[str]]:
    """A bucket file's lines by graph index, in file order."""
    grouped: dict[int, list[str]] = {}
    for tagged in ntriples_lines(path):
        i, line = tagged.split("\t", 1)
        grouped.setdefault(int(i), []).append(line)
    return grouped


def trig_quads(folder: Path, graphs: ReportGraphs) -> Iterator[ox.Quad]:
    """The quads of the TriG dump, graph by graph (graphs sorted, triples in file order within each)."""
    for graph, triples in triples_by_graph(folder, graphs):
        name = ox.NamedNode(graph)
        for triple in triples:
            yield ox.Quad(triple.subject, triple.predicate, triple.object, name)


def write_trig(folder: Path, graphs: ReportGraphs, name: str = "kg.trig") -> None:
    """TriG with the project prefixes, one block per named graph."""
    with (folder / name).open("wb") as out:
        ox.serialize(trig_quads(folder, graphs), out, ox.RdfFormat.TRIG, prefixes=DUMP_PREFIXES)


def write_triples(folder: Path, name: str, fmt: ox.RdfFormat, source: str = ASSERTED_FILE) -> None:
    """`source` (sorted N-Triples) written as `name` in `fmt` with the project prefixes, streamed."""
    with (folder / name).open("wb") as out:
        ox.serialize(ox.parse(path=folder / source, format=ox.RdfFormat.N_TRIPLES), out, fmt, prefixes=DUMP_PREFIXES)


@cache
def _parsed_context() -> Context:
    """The project context parsed once per process (rdflib would parse the dict again for every batch)."""
    return Context(load_context())


def compacted_nodes(graph: Graph) -> list[dict[str, Any]]:
    """The JSON-LD nodes of `graph`, compacted with the project context, values and nodes sorted by @id."""
    data = json.loads(graph.serialize(format="json-ld", context=_parsed_context()))
    single = {k: v for k, v in data.items() if k != "@context"}  # rdflib inlines a lone node
    nodes = data.get("@graph", [single] if single else [])
    return sorted((sorted_node(node) for node in nodes), key=lambda n: str(n.get("id", n.get("@id", ""))))


class BatchGraph:
    """The few Graph methods rdflib's JSON-LD converter calls, over the triples of a batch of subjects: the
    converter compacts each subject without an rdflib Graph being built (and parsed) for them."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.by_subject: dict[Any, list[tuple[Any, Any]]] = {}
        for t in triples:
            self.by_subject.setdefault(from_oxigraph(t.subject), []).append(
                (from_oxigraph(t.predicate), from_oxigraph(t.object)))

    def predicate_objects(self, subject: Any) -> Iterator[tuple[Any, Any]]:
        return iter(self.by_subject.get(subject, []))

    def value(self, subject: Any, predicate: Any) -> Any:
        return next((o for p, o in self.by_subject.get(subject, []) if p == predicate), None)

    def subjects(self, predicate: Any = None, obj: Any = None) -> Iterator[Any]:
        return (s for s, pairs in self.by_subject.items()
                if any((predicate is None or p == predicate) and (obj is None or o == obj) for p, o in pairs))


def batch_nodes(triples: Iterable[ox.Triple]) -> list[dict[str, Any]]:
    """The JSON-LD nodes of a batch of whole subjects, compacted by rdflib's converter with the project
    context (as `compacted_nodes` would), values and nodes sorted by @id."""
    graph = BatchGraph(triples)
    converter = Converter(_parsed_context(), use_native_types=False, use_rdf_type=False)
    nodemap: dict[Any, Any] = {}
    for subject in graph.by_subject:
        if isinstance(subject, URIRef) or not any(graph.subjects(None, subject)):
            converter.process_subject(graph, subject, nodemap)  # type: ignore[arg-type]
    return sorted((sorted_node(node) for node in nodemap.values()), key=lambda n: str(n.get("id", n.get("@id", ""))))


def subject_batches(path: Path, size: int) -> Iterator[list[ox.Triple]]:
    """The triples of a sorted N-Triples file in batches of about `size`, never cutting a subject's apart."""
    batch: list[ox.Triple] = []
    last: Any = None
    for triple in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
        if len(batch) >= size and triple.subject != last:
            yield batch
            batch = []
        batch.append(triple)
        last = triple.subject
    if batch:
        yield batch


def write_jsonld(folder: Path, name: str = "kg.jsonld", batch: int = JSONLD_BATCH) -> None:
    """kg.nt as one JSON-LD document compacted with the project context, written node by node: the context
    once, then the nodes of each batch of whole subjects (sorted by @id within the batch), one node a line."""
    marker = "\u0000nodes\u0000"
    head, tail = json.dumps({"@context": load_context(), "@graph": [marker]}, ensure_ascii=False, indent=1,
                            sort_keys=True).split(json.dumps(marker))
    head = head.rstrip(" ")
    first = True
    with (folder / name).open("w", encoding="utf-8", newline="\n") as out:
        out.write(head)
        for triples in subject_batches(folder / ASSERTED_FILE, batch):
            for node in batch_nodes(triples):
                out.write(("" if first else ",\n") + "  " + json.dumps(node, ensure_ascii=False, sort_keys=True))
                first = False
        out.write((tail if not first else tail.lstrip()) + "\n")


def sorted_node(value: Any) -> Any:
    """Sort the value lists inside a JSON-LD node (their order carries no meaning in RDF)."""
    if isinstance(value, dict):
        return {k: sorted_node(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((sorted_node(v) for v in value), key=_sort_key)
    return value


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, value) if isinstance(value, str) else (1, json.dumps(value, ensure_ascii=False, sort_keys=True))


def jsonld(graph: Graph, indent: int | None = 1) -> str:
    """JSON-LD compacted with the project context (embedded, so no reader fetches it); nodes sorted by @id.
    `indent=None` writes one line (much faster: Python's JSON encoder is C code only without indent)."""
    document = {"@context": load_context(), "@graph": compacted_nodes(graph)}
    return json.dumps(document, ensure_ascii=False, indent=indent, sort_keys=True) + "\n"


def rdfxml(graph: Graph) -> str:
    """RDF/XML with subjects and properties sorted (rdflib's writer follows the store's hash order)."""
    nm = bind_prefixes(Graph()).namespace_manager
    qnames = {p: nm.compute_qname_strict(p) for p in sorted(set(graph.predicates()))}
    namespaces = {prefix: str(ns) for prefix, ns, _ in qnames.values()}
    namespaces["rdf"] = str(RDF)
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    out += [f"   xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(namespaces.items())]
    out[-1] += ">"
    for subject in sorted(set(graph.subjects())):
        out.append(f"  <rdf:Description rdf:about={quoteattr(str(subject))}>")
        for predicate, obj in sorted(graph.predicate_objects(subject)):
            prefix, _, local = qnames[predicate]
            out.append(f"    {_xml_property(f'{prefix}:{local}', obj)}")
        out.append("  </rdf:Description>")
    out.append("</rdf:RDF>")
    return "\n".join(out) + "\n"


def _xml_property(tag: str, obj: Any) -> str:
    if not isinstance(obj, Literal):
        return f"<{tag} rdf:resource={quoteattr(str(obj))}/>"
    attributes = f' xml:lang="{obj.language}"' if obj.language else ""
    if obj.datatype:
        attributes += f" rdf:datatype={quoteattr(str(obj.datatype))}"
    return f"<{tag}{attributes}>{escape(str(obj), {chr(13): '&#13;'})}</{tag}>"


def sha256_of(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def describe(folder: Path, name: str, triples: int) -> Dump:
    """Size and SHA-256 of a written file."""
    size, digest = sha256_of(folder / name)
    return Dump(name, MEDIA_TYPES[Path(name).suffix], size, digest, triples)


def count_lines(path: Path) -> int:
    """Triples of an N-Triples file (its non-empty lines)."""
    return sum(1 for _ in ntriples_lines(path))


def write_dumps(folder: Path, reports: Iterable[URIRef]) -> list[Dump]:
    """Write kg.ttl, kg.trig, kg.nq, kg.jsonld and kg.rdf from the kg.nt and inferred.nt in `folder`;
    describe them and the N-Triples files."""
    graphs = ReportGraphs(reports)
    write_triples(folder, "kg.ttl", ox.RdfFormat.TURTLE)
    write_triples(folder, "kg.rdf", ox.RdfFormat.RDF_XML)
    write_jsonld(folder)
    write_trig(folder, graphs)
    quads = write_nquads(folder, graphs)
    triples = count_lines(folder / ASSERTED_FILE)
    dumps = [describe(folder, ASSERTED_FILE, triples), describe(folder, "kg.ttl", triples)]
    if (folder / INFERRED_FILE).is_file():
        dumps.append(describe(folder, INFERRED_FILE, count_lines(folder / INFERRED_FILE)))
    dumps += [describe(folder, "kg.trig", quads), describe(folder, "kg.nq", quads),
              describe(folder, "kg.jsonld", triples), describe(folder, "kg.rdf", triples)]
    return dumps


def write_checksums(folder: Path, names: Iterable[str]) -> Path:
    """``checksums.sha256`` in the format ``sha256sum -c`` reads."""
    lines = [f"{sha256_of(folder / n)[1]}  {n}\n" for n in sorted(set(names))]
    path = folder / "checksums.sha256"
    path.write_text("".join(lines), encoding="utf-8", newline="\n")
    return path
