"""The dataset description ``void.ttl``: VoID statistics and a DCAT-AP 3.0 catalogue of the dumps.

One dataset per graph (asserted, inferred) and the whole (both, as the named graphs of the quad dumps); each
dataset's counts and distributions describe exactly its own triples (the DCAT-AP side is in ``dcat.py``).

Words come from ``data/dataset.yaml``; counts from the graph; sizes and SHA-256 from the written files;
dates from the sources (the reports' issue dates), never from the clock, so builds stay byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, SDO, SH, VOID, XSD

from kg_build.namespaces import CTOC, ID, bind_prefixes
from kg_build.paths import DATA_DIR
from kg_build.publish import dcat
from kg_build.publish.dataset_info import DATASET_FILE, load_dataset_info, published_url
from kg_build.publish.dumps import Dump
from kg_build.publish.output import write_text
from kg_build.serialize import turtle

__all__ = ["DATASET_FILE", "build_void", "load_dataset_info", "write_void"]

QUERIES_DIR = DATA_DIR.parent / "queries"
SPDX = dcat.SPDX
FORMATS = Namespace("http://www.w3.org/ns/formats/")
QUERY_FORMS: dict[str, URIRef] = {"SELECT": SH.select, "ASK": SH.ask, "CONSTRUCT": SH.construct}
# Which dataset each dump holds exactly (kg_build/publish/dumps.py writes them): the asserted graph alone,
# the inferred triples alone, or both as named graphs (the whole dataset).
DUMPS_OF: dict[str, tuple[str, ...]] = {
    "asserted": ("kg.nt", "kg.ttl", "kg.jsonld", "kg.rdf"),
    "inferred": ("inferred.nt",),
    "whole": ("kg.trig", "kg.nq"),
}


def namespace_of(iri: str) -> str:
    """The namespace of a term: up to the last ``#``, else up to the last ``/``."""
    cut = iri.rfind("#") if "#" in iri else iri.rfind("/")
    return iri[: cut + 1]


def source_dates(graph: Graph) -> list[str]:
    """The reports' issue dates (and any modification dates the sources carry), as ISO strings."""
    dates = {str(o) for p in (DCTERMS.issued, DCTERMS.modified) for o in graph.objects(None, p)
             if isinstance(o, Literal) and o.datatype == XSD.date}
    if not dates:
        dates = {str(o) for o in graph.objects(None, CTOC.firstMeetingDate)}
    return sorted(dates)


def meeting_period(graph: Graph) -> tuple[str, str] | None:
    """First and last date of the meetings the reports cover (meeting days, joint meetings, first meeting dates)."""
    dates = sorted({str(o) for p in (CTOC.date, CTOC.firstMeetingDate) for o in graph.objects(None, p)
                    if isinstance(o, Literal) and o.datatype == XSD.date})
    return (dates[0], dates[-1]) if dates else None


def entities(graph: Graph) -> set[URIRef]:
    """The dataset's entities as VoID counts them: subject IRIs inside its URI space."""
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}


def class_counts(graph: Graph) -> dict[URIRef, int]:
    """Number of distinct instances of each class (asserted rdf:type)."""
    instances: dict[URIRef, set[Any]] = {}
    for s, o in graph.subject_objects(RDF.type):
        if isinstance(o, URIRef):
            instances.setdefault(o, set()).add(s)
    return {c: len(members) for c, members in sorted(instances.items())}


def vocabularies(graph: Graph) -> list[str]:
    """Namespaces of every property and class used."""
    terms = {str(p) for p in graph.predicates()} | {str(c) for c in graph.objects(None, RDF.type)}
    return sorted({namespace_of(t) for t in terms})


def _slug(graph: Graph, term: URIRef) -> str:
    """A readable IRI segment for a class partition: ``ctoc-Paragraph`` (a hash when no prefix fits)."""
    try:
        prefix, _, local = graph.namespace_manager.compute_qname_strict(str(term))
        if not re.fullmatch(r"ns\d+", prefix):
            return f"{prefix}-{local}"
    except ValueError:
        pass
    return hashlib.sha256(str(term).encode()).hexdigest()[:16]


def example_queries(directory: Path = QUERIES_DIR) -> list[tuple[str, str, str]]:
    """(name, first comment line, text) of each library query ``queries/*.rq``."""
    found = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comments = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]
        found.append((path.stem, next((c for c in comments if c), path.stem), text))
    return found


@dataclass(frozen=True)
class Described:
    """One dataset of the description: its IRI, its words, its own triples and the dumps that hold exactly them."""

    iri: URIRef
    words: dict[str, Any]
    graph: Graph
    dumps: list[Dump]


def described_datasets(info: dict[str, Any], graph: Graph, dumps: Iterable[Dump],
                       inferred: Graph | None) -> tuple[Described, list[Described]]:
    """The whole dataset (asserted + inferred, the quad dumps) and its parts, one per graph."""
    by_name = {d.name: d for d in dumps}
    unknown = set(by_name) - {name for names in DUMPS_OF.values() for name in names}
    if unknown:
        raise ValueError(f"void.py does not know which dataset the dumps {sorted(unknown)} hold")

    def held(key: str) -> list[Dump]:
        return [by_name[name] for name in DUMPS_OF[key] if name in by_name]

    base = str(info["iri"])
    parts = [Described(URIRef(f"{base}/asserted"), info["datasets"]["asserted"], graph, held("asserted"))]
    whole = Graph()
    for triple in graph:
        whole.add(triple)
    if inferred is not None:
        parts.append(Described(URIRef(f"{base}/inferred"), info["datasets"]["inferred"], inferred, held("inferred")))
        for triple in inferred:
            whole.add(triple)
    return Described(URIRef(base), info, whole, held("whole")), parts


def build_void(graph: Graph, dumps: Iterable[Dump], inferred: Graph | None = None,
               info: dict[str, Any] | None = None, queries: Path = QUERIES_DIR) -> Graph:
    """The VoID + DCAT-AP 3.0 description of `graph`, its inferred triples and their dumps: a catalogue, one
    dataset per graph plus the whole (their union as named graphs), the distributions and the SPARQL service."""
    info = load_dataset_info() if info is None else info
    v = bind_prefixes(Graph())
    for prefix, ns in (("spdx", SPDX), ("sh", SH), ("schema", SDO), ("formats", FORMATS), ("vcard", dcat.VCARD),
                       ("dcatap", dcat.DCATAP), ("geo", dcat.GSP)):
        v.bind(prefix, ns)
    whole, parts = described_datasets(info, graph, dumps, inferred)
    dates, period = source_dates(graph), meeting_period(graph)
    service = dcat.data_service(v, info, whole.iri)
    dcat.catalog(v, info, [whole.iri] + [p.iri for p in parts], service, dates)
    for described in [whole, *parts]:
        _dataset(v, described, info, dates, period)
    for part in parts:
        v.add((whole.iri, DCTERMS.hasPart, part.iri))
        v.add((whole.iri, VOID.subset, part.iri))
    asserted = parts[0].iri
    for report in sorted(graph.subjects(RDF.type, CTOC.Report)):
        for ds in (whole.iri, asserted):
            v.add((ds, VOID.exampleResource, report))
        v.add((asserted, PROV.wasDerivedFrom, report))  # a report is a document, not a dcat:Dataset: no dct:source
    for inferred_part in parts[1:]:
        v.add((inferred_part.iri, DCTERMS.source, asserted))
        v.add((inferred_part.iri, PROV.wasDerivedFrom, asserted))
    endpoint = URIRef(info["sparql_endpoint"])
    v.add((whole.iri, VOID.sparqlEndpoint, endpoint))
    for name, comment, text in example_queries(queries):
        _example(v, whole.iri, endpoint, name, comment, text)
    return v


def _dataset(v: Graph, described: Described, info: dict[str, Any], dates: list[str],
             period: tuple[str, str] | None) -> None:
    """One dcat:Dataset + void:Dataset: words, shared catalogue properties, coverage, counts, distributions."""
    ds = described.iri
    v.add((ds, RDF.type, VOID.Dataset))
    v.add((ds, RDF.type, DCAT.Dataset))
    dcat.words(v, ds, described.words, "title", DCTERMS.title)
    dcat.words(v, ds, described.words, "description", DCTERMS.description)
    dcat.catalogued(v, ds, info)
    dcat.coverage(v, ds, info, period)
    dcat.dated(v, ds, dates)
    tags = {o.language for o in described.graph.objects() if isinstance(o, Literal) and o.language}
    dcat.languages(v, ds, tags, info)
    _statistics(v, ds, described.graph)
    for dump in described.dumps:
        dcat.distribution(v, ds, dump, info, dates)
        v.add((ds, VOID.dataDump, URIRef(published_url(info, dump.name))))
        v.add((ds, VOID.feature, URIRef(dcat.file_type(info, dump)["w3c"])))


def _statistics(v: Graph, ds: URIRef, graph: Graph) -> None:
    """Counts: triples, entities, classes, properties, one class partition per class."""
    add = v.add
    count = {
        VOID.triples: len(graph), VOID.entities: len(entities(graph)),
        VOID.distinctSubjects: len(set(graph.subjects())), VOID.distinctObjects: len(set(graph.objects())),
        VOID.properties: len(set(graph.predicates())), VOID.classes: len(class_counts(graph)),
    }
    for prop, n in count.items():
        add((ds, prop, Literal(n, datatype=XSD.integer)))
    add((ds, VOID.uriSpace, Literal(str(ID))))
    for namespace in vocabularies(graph):
        add((ds, VOID.vocabulary, URIRef(namespace)))
    for cls, n in class_counts(graph).items():
        part = URIRef(f"{ds}/class/{_slug(v, cls)}")
        add((ds, VOID.classPartition, part))
        add((part, VOID["class"], cls))
        add((part, VOID.entities, Literal(n, datatype=XSD.integer)))


def _example(v: Graph, ds: URIRef, endpoint: URIRef, name: str, comment: str, text: str) -> None:
    """An example query in the SHACL-based form of the SIB sparql-examples collections."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")).upper()
    first = next(iter(re.findall(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body)), "")
    form = QUERY_FORMS.get(first, SDO.text)  # DESCRIBE has no SHACL property: plain schema:text then
    query = URIRef(f"{ds}/query/{name}")
    v.add((ds, RDFS.seeAlso, query))
    v.add((query, RDF.type, SH.SPARQLExecutable))
    v.add((query, RDFS.label, Literal(name)))
    v.add((query, RDFS.comment, Literal(comment)))
    v.add((query, form, Literal(text)))
    v.add((query, SDO.target, endpoint))


def write_void(graph: Graph, dumps: Iterable[Dump], folder: Path, inferred: Graph | None = None) -> Path:
    """Write ``void.ttl`` into `folder`."""
    return write_text(folder, "void.ttl", turtle(build_void(graph, dumps, inferred)))
