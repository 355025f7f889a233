"""Publication dumps of the built graph: TriG and N-Quads (one named graph per report, one for registry
facts, one for inferred triples), JSON-LD compacted with ``ontology/context.jsonld`` and RDF/XML.

Every writer sorts what it writes, so the same graph gives byte-identical files whatever the hash seed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.shared.jsonld.context import Context

from kg_build.namespaces import BASE, bind_prefixes
from kg_build.paths import ONTOLOGY_DIR
from kg_build.publish.output import write_text
from kg_build.serialize import canonical_ntriples, turtle

CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
CONTEXT_URL = BASE + "ontology/context.jsonld"
REGISTRIES_GRAPH = URIRef(BASE + "graph/registries")
INFERRED_GRAPH = URIRef(BASE + "graph/inferred")

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


def graph_for(subject: URIRef, reports: list[URIRef]) -> URIRef:
    """The named graph of a triple by its subject: its report's graph when the subject lies under the
    report IRI (the report, its units and what they say), else the registries graph."""
    text = str(subject)
    for report in reports:
        base = str(report)
        if text == base or text.startswith(base + "/") or text.startswith(base + "#"):
            return report
    return REGISTRIES_GRAPH


def split_graphs(graph: Graph, reports: Iterable[URIRef], inferred: Graph | None = None) -> Dataset:
    """A dataset with the asserted triples split by provenance, plus the inferred ones in their own graph."""
    ordered = sorted(set(reports), key=lambda r: (-len(str(r)), str(r)))  # the longest report IRI wins
    dataset = bind_prefixes(Dataset())
    for s, p, o in graph:
        dataset.add((s, p, o, graph_for(s, ordered)))  # type: ignore[arg-type]
    if inferred is not None:
        for s, p, o in inferred:
            dataset.add((s, p, o, INFERRED_GRAPH))
    return dataset


def nquads(dataset: Dataset) -> str:
    """N-Quads, one quad a line, lines sorted."""
    text = dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    return "".join(line + "\n" for line in sorted({line for line in text.splitlines() if line}))


def trig(dataset: Dataset) -> str:
    """TriG assembled from each named graph's sorted Turtle (rdflib's own TriG order varies run to run)."""
    prefixes: set[str] = set()
    blocks: list[str] = []
    for context in sorted(dataset.graphs(), key=lambda c: str(c.identifier)):
        if not isinstance(context.identifier, URIRef) or len(context) == 0:
            continue
        members = bind_prefixes(Graph())
        for triple in context:
            members.add(triple)
        lines = turtle(members).splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        body = [line for line in lines if not line.startswith("@prefix")]  # no indent: literals span lines
        blocks.append(f"<{context.identifier}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    return "\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)


@cache
def _parsed_context() -> Context:
    """The project context parsed once (rdflib would parse the dict again for every page)."""
    return Context(load_context())


def jsonld(graph: Graph, indent: int | None = 1) -> str:
    """JSON-LD compacted with the project context (embedded, so no reader fetches it); nodes sorted by @id.
    `indent=None` writes one line (much faster: Python's JSON encoder is C code only without indent)."""
    context = load_context()
    data = json.loads(graph.serialize(format="json-ld", context=_parsed_context()))
    single = {k: v for k, v in data.items() if k != "@context"}  # rdflib inlines a lone node
    nodes = data.get("@graph", [single] if single else [])
    ordered = sorted((sorted_node(node) for node in nodes), key=lambda n: str(n.get("id", n.get("@id", ""))))
    document = {"@context": context, "@graph": ordered}
    return json.dumps(document, ensure_ascii=False, indent=indent, sort_keys=True) + "\n"


def sorted_node(value: Any) -> Any:
    """Sort the value lists inside a JSON-LD node (their order carries no meaning in RDF)."""
    if isinstance(value, dict):
        return {k: sorted_node(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((sorted_node(v) for v in value), key=_sort_key)
    return value


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, value) if isinstance(value, str) else (1, json.dumps(value, ensure_ascii=False, sort_keys=True))


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


def describe(folder: Path, name: str, triples: int) -> Dump:
    """Size and SHA-256 of a written file."""
    data = (folder / name).read_bytes()
    media_type = MEDIA_TYPES[Path(name).suffix]
    return Dump(name, media_type, len(data), hashlib.sha256(data).hexdigest(), triples)


def write_dumps(graph: Graph, reports: Iterable[URIRef], folder: Path, inferred: Graph | None = None) -> list[Dump]:
    """Write kg.trig, kg.nq, kg.jsonld and kg.rdf; describe them and the kg.nt / kg.ttl /
    inferred.nt already in `folder`."""
    dataset = split_graphs(graph, reports, inferred)
    quads = len(dataset)
    write_text(folder, "kg.trig", trig(dataset))
    write_text(folder, "kg.nq", nquads(dataset))
    write_text(folder, "kg.jsonld", jsonld(graph))
    write_text(folder, "kg.rdf", rdfxml(graph))
    if not (folder / "kg.nt").exists():
        write_text(folder, "kg.nt", canonical_ntriples(graph))
    dumps = [describe(folder, "kg.nt", len(graph))]
    if (folder / "kg.ttl").exists():
        dumps.append(describe(folder, "kg.ttl", len(graph)))
    if inferred is not None and (folder / "inferred.nt").exists():
        dumps.append(describe(folder, "inferred.nt", len(inferred)))
    dumps += [describe(folder, "kg.trig", quads), describe(folder, "kg.nq", quads),
              describe(folder, "kg.jsonld", len(graph)), describe(folder, "kg.rdf", len(graph))]
    return dumps


def write_checksums(folder: Path, names: Iterable[str]) -> Path:
    """``checksums.sha256`` in the format ``sha256sum -c`` reads."""
    lines = [f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n" for n in sorted(set(names))]
    return write_text(folder, "checksums.sha256", "".join(lines))
