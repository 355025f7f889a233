"""The dataset description ``void.ttl``: VoID statistics and a DCAT-AP 3.0 catalogue of the dumps.

One dataset per graph (asserted, inferred) and the whole (both, as the named graphs of the quad dumps); each
dataset's counts and distributions describe exactly its own triples (the DCAT-AP side is in ``dcat.py``).

Words come from ``data/dataset.yaml``; counts from SPARQL queries on the build's store; sizes and SHA-256
from the written files; dates from the sources (the reports' issue dates), never from the clock, so builds
stay byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, SDO, SH, VOID, XSD

from kg_build.namespaces import CTOC, ID, bind_prefixes
from kg_build.paths import DATA_DIR
from kg_build.publish import dcat
from kg_build.publish.dataset_info import DATASET_FILE, load_dataset_info, published_url
from kg_build.publish.dumps import Dump
from kg_build.publish.output import write_text
from kg_build.publish.store import ASSERTED_FILE, INFERRED_FILE, INFERRED_GRAPH
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


# The triples of each dataset as a SPARQL group pattern over the build's store (kg_build/publish/store.py):
# the asserted ones in the default graph, the inferred ones in their named graph, the whole both (distinct).
PATTERNS: dict[str, str] = {
    "asserted": "?s ?p ?o",
    "inferred": f"GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }}",
    # every triple once without a DISTINCT over all triples (which holds them all in memory): the inferred
    # ones that are not asserted too
    "whole": f"{{ ?s ?p ?o }} UNION "
             f"{{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s ?p ?o }} }}",
}


@dataclass(frozen=True)
class Statistics:
    """What VoID and DCAT say about one dataset's triples, counted by SPARQL on the store."""

    triples: int
    entities: int
    subjects: int
    objects: int
    properties: int
    classes: dict[URIRef, int]
    vocabularies: list[str]
    languages: set[str]


def _rows(store: ox.Store, query: str) -> list[list[Any]]:
    """The rows of a SELECT as lists of term values (None when unbound)."""
    return [[None if term is None else term.value for term in row] for row in store.query(query)]  # type: ignore[union-attr]


def statistics(store: ox.Store, pattern: str, objects: int) -> Statistics:
    """Counts of the triples matched by `pattern` (one of PATTERNS), in four queries; `objects` counted from the
    files (`distinct_objects`)."""
    where = f"{{ {pattern} }}"
    counts = _rows(store, f"""SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s1) (COUNT(DISTINCT ?p) AS ?p1)
        (COUNT(DISTINCT ?e) AS ?e1) WHERE {{ {where}
          BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"), ?s, ?unbound) AS ?e) }}""")[0]
    classes = _rows(store, f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} "
                           f"FILTER(?p = <{RDF.type}> && isIRI(?o)) BIND(?o AS ?c) }} GROUP BY ?c")
    terms = _rows(store, f"SELECT DISTINCT ?t WHERE {{ {where} BIND(IF(?p = <{RDF.type}>, ?o, ?p) AS ?t) }}")
    terms += _rows(store, f"SELECT DISTINCT ?p WHERE {{ {where} FILTER(?p = <{RDF.type}>) }}")
    tags = _rows(store, f"SELECT DISTINCT (LANG(?o) AS ?tag) WHERE {{ {where} FILTER(isLiteral(?o)) }}")
    return Statistics(
        triples=int(counts[0]), subjects=int(counts[1]), objects=objects, properties=int(counts[2]),
        entities=int(counts[3]), classes={URIRef(c): int(n) for c, n in sorted(classes)},
        vocabularies=sorted({namespace_of(str(t)) for (t,) in terms}), languages={t for (t,) in tags if t})


def distinct_objects(folder: Path) -> dict[str, int]:
    """Distinct objects of the asserted, inferred and whole datasets, counted on the N-Triples files: the
    store cannot tell them apart, as it keeps literals normalised ("5"^^xsd:nonNegativeInteger is stored as
    "5"^^xsd:integer, oxigraph/oxigraph#526). Holds one 64-bit hash per distinct object."""
    seen: dict[str, set[int]] = {}
    for key, name in (("asserted", ASSERTED_FILE), ("inferred", INFERRED_FILE)):
        path = folder / name
        objects: set[int] = set()
        if path.is_file():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        term = line.split(" ", 2)[2].rstrip().removesuffix(".").rstrip()
                        objects.add(int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big"))
        seen[key] = objects
    whole = len(seen["asserted"] | seen["inferred"])
    return {"asserted": len(seen["asserted"]), "inferred": len(seen["inferred"]), "whole": whole}


def _literal_values(store: ox.Store, properties: Iterable[URIRef], datatype: URIRef | None) -> list[str]:
    """Distinct lexical forms of the objects of `properties` in the asserted graph (of `datatype` when given)."""
    values = " ".join(f"<{p}>" for p in properties)
    test = f"FILTER(isLiteral(?o) && DATATYPE(?o) = <{datatype}>)" if datatype is not None else ""
    query = f"SELECT DISTINCT ?o {{ VALUES ?p {{ {values} }} ?s ?p ?o {test} }}"
    return sorted({str(v) for (v,) in _rows(store, query)})


def source_dates(store: ox.Store) -> list[str]:
    """The reports' issue dates (and any modification dates the sources carry), as ISO strings."""
    return (_literal_values(store, (DCTERMS.issued, DCTERMS.modified), XSD.date)
            or _literal_values(store, (CTOC.firstMeetingDate,), None))


def meeting_period(store: ox.Store) -> tuple[str, str] | None:
    """First and last date of the meetings the reports cover (meeting days, joint meetings, first meeting dates)."""
    dates = _literal_values(store, (CTOC.date, CTOC.firstMeetingDate), XSD.date)
    return (dates[0], dates[-1]) if dates else None


def reports(store: ox.Store) -> list[URIRef]:
    """The reports of the asserted graph, sorted."""
    query = f"SELECT DISTINCT ?r {{ ?r a <{CTOC.Report}> FILTER(isIRI(?r)) }}"
    return sorted(URIRef(r) for (r,) in _rows(store, query))


def has_inferred(store: ox.Store) -> bool:
    """True when the store holds the inferred graph."""
    return store.contains_named_graph(INFERRED_GRAPH)


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
    stats: Statistics
    dumps: list[Dump]


def described_datasets(info: dict[str, Any], folder: Path, store: ox.Store,
                       dumps: Iterable[Dump]) -> tuple[Described, list[Described]]:
    """The whole dataset (asserted + inferred, the quad dumps) and its parts, one per graph."""
    by_name = {d.name: d for d in dumps}
    unknown = set(by_name) - {name for names in DUMPS_OF.values() for name in names}
    if unknown:
        raise ValueError(f"void.py does not know which dataset the dumps {sorted(unknown)} hold")

    def held(key: str) -> list[Dump]:
        return [by_name[name] for name in DUMPS_OF[key] if name in by_name]

    base = str(info["iri"])
    objects = distinct_objects(folder)
    parts = [Described(URIRef(f"{base}/asserted"), info["datasets"]["asserted"],
                       statistics(store, PATTERNS["asserted"], objects["asserted"]), held("asserted"))]
    if has_inferred(store):
        parts.append(Described(URIRef(f"{base}/inferred"), info["datasets"]["inferred"],
                               statistics(store, PATTERNS["inferred"], objects["inferred"]), held("inferred")))
        whole = statistics(store, PATTERNS["whole"], objects["whole"])
        return Described(URIRef(base), info, whole, held("whole")), parts
    return Described(URIRef(base), info, parts[0].stats, held("whole")), parts


def build_void(folder: Path, store: ox.Store, dumps: Iterable[Dump], info: dict[str, Any] | None = None,
               queries: Path = QUERIES_DIR) -> Graph:
    """The VoID + DCAT-AP 3.0 description of the build in `folder` (its store, opened as `store`, and its
    N-Triples files) and its dumps: a catalogue, one dataset per graph plus the whole (their union as named
    graphs), the distributions and the SPARQL service. Counts are SPARQL queries on the store (distinct objects
    a pass over the files); only this small description is an rdflib graph."""
    info = load_dataset_info() if info is None else info
    v = bind_prefixes(Graph())
    for prefix, ns in (("spdx", SPDX), ("sh", SH), ("schema", SDO), ("formats", FORMATS), ("vcard", dcat.VCARD),
                       ("dcatap", dcat.DCATAP), ("geo", dcat.GSP)):
        v.bind(prefix, ns)
    whole, parts = described_datasets(info, folder, store, dumps)
    dates, period = source_dates(store), meeting_period(store)
    service = dcat.data_service(v, info, whole.iri)
    dcat.catalog(v, info, [whole.iri] + [p.iri for p in parts], service, dates)
    for described in [whole, *parts]:
        _dataset(v, described, info, dates, period)
    for part in parts:
        v.add((whole.iri, DCTERMS.hasPart, part.iri))
        v.add((whole.iri, VOID.subset, part.iri))
    asserted = parts[0].iri
    for report in reports(store):
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
    dcat.languages(v, ds, described.stats.languages, info)
    _statistics(v, ds, described.stats)
    for dump in described.dumps:
        dcat.distribution(v, ds, dump, info, dates)
        v.add((ds, VOID.dataDump, URIRef(published_url(info, dump.name))))
        v.add((ds, VOID.feature, URIRef(dcat.file_type(info, dump)["w3c"])))


def _statistics(v: Graph, ds: URIRef, stats: Statistics) -> None:
    """Counts: triples, entities, classes, properties, one class partition per class."""
    add = v.add
    count = {
        VOID.triples: stats.triples, VOID.entities: stats.entities,
        VOID.distinctSubjects: stats.subjects, VOID.distinctObjects: stats.objects,
        VOID.properties: stats.properties, VOID.classes: len(stats.classes),
    }
    for prop, n in count.items():
        add((ds, prop, Literal(n, datatype=XSD.integer)))
    add((ds, VOID.uriSpace, Literal(str(ID))))
    for namespace in stats.vocabularies:
        add((ds, VOID.vocabulary, URIRef(namespace)))
    for cls, n in stats.classes.items():
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


def write_void(store: ox.Store, dumps: Iterable[Dump], folder: Path) -> Path:
    """Write ``void.ttl`` into `folder`."""
    return write_text(folder, "void.ttl", turtle(build_void(folder, store, dumps)))
