"""The dataset description ``void.ttl``: VoID statistics and DCAT distributions of the dumps.

Words come from ``data/dataset.yaml``; counts from the graph; sizes and SHA-256 from the written files;
dates from the sources (the reports' issue dates), never from the clock, so builds stay byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SDO, SH, VOID, XSD

from kg_build.errors import InputError
from kg_build.namespaces import CTOC, ID, bind_prefixes
from kg_build.paths import DATA_DIR
from kg_build.publish.dumps import Dump
from kg_build.publish.output import turtle, write_text

DATASET_FILE = DATA_DIR / "dataset.yaml"
QUERIES_DIR = DATA_DIR.parent / "queries"
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"
FORMAT_OF: dict[str, str] = {
    "application/n-triples": "N-Triples", "text/turtle": "Turtle", "application/trig": "TriG",
    "application/n-quads": "N-Quads", "application/ld+json": "JSON-LD", "application/rdf+xml": "RDF_XML",
}
QUERY_FORMS: dict[str, URIRef] = {"SELECT": SH.select, "ASK": SH.ask, "CONSTRUCT": SH.construct}


def load_dataset_info(path: Path = DATASET_FILE) -> dict[str, Any]:
    """The curated words of the description (titles, descriptions, license, publisher, endpoint)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InputError(path, 0, f"cannot read the dataset description: {err}") from None
    if not isinstance(data, dict):
        raise InputError(path, 1, "expected a YAML mapping")
    return data


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


def build_void(graph: Graph, dumps: Iterable[Dump], inferred: Graph | None = None,
               info: dict[str, Any] | None = None, queries: Path = QUERIES_DIR) -> Graph:
    """The VoID + DCAT description of `graph` and its dumps."""
    info = load_dataset_info() if info is None else info
    v = bind_prefixes(Graph())
    for prefix, ns in (("spdx", SPDX), ("sh", SH), ("schema", SDO), ("formats", FORMATS)):
        v.bind(prefix, ns)
    ds = URIRef(info["iri"])
    add = v.add
    add((ds, RDF.type, VOID.Dataset))
    add((ds, RDF.type, DCAT.Dataset))
    for key, prop in (("title", DCTERMS.title), ("description", DCTERMS.description)):
        for lang in ("en", "zh"):
            add((ds, prop, Literal(" ".join(str(info[f"{key}_{lang}"]).split()), lang=lang)))
    add((ds, DCTERMS.license, URIRef(info["license"])))
    publisher = URIRef(info["publisher"]["iri"])
    add((ds, DCTERMS.publisher, publisher))
    add((publisher, RDF.type, FOAF.Organization))
    for lang in ("en", "zh"):
        add((publisher, FOAF.name, Literal(info["publisher"][f"name_{lang}"], lang=lang)))
    add((publisher, FOAF.homepage, URIRef(info["publisher"]["homepage"])))
    if dates := source_dates(graph):
        add((ds, DCTERMS.issued, Literal(dates[0], datatype=XSD.date)))
        add((ds, DCTERMS.modified, Literal(dates[-1], datatype=XSD.date)))
    for report in sorted(graph.subjects(RDF.type, CTOC.Report)):
        add((ds, DCTERMS.source, report))
        add((ds, VOID.exampleResource, report))
    _statistics(v, ds, graph)
    endpoint = URIRef(info["sparql_endpoint"])
    add((ds, VOID.sparqlEndpoint, endpoint))
    service = URIRef(f"{ds}/sparql")
    add((service, RDF.type, DCAT.DataService))
    add((service, DCAT.endpointURL, endpoint))
    add((service, DCAT.servesDataset, ds))
    add((service, RDFS.comment, Literal("Started locally by `ctoc-kg serve`; replace with the public endpoint "
                                        "when the dataset is published.", lang="en")))
    for dump in dumps:
        _distribution(v, ds, dump, info["download_base"])
    if inferred is not None:
        subset = URIRef(f"{ds}/inferred")
        add((ds, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        add((subset, DCTERMS.title, Literal("Triples inferred by the OWL RL closure", lang="en")))
        add((subset, VOID.triples, Literal(len(inferred), datatype=XSD.integer)))
    for name, comment, text in example_queries(queries):
        _example(v, ds, endpoint, name, comment, text)
    return v


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


def _distribution(v: Graph, ds: URIRef, dump: Dump, download_base: str) -> None:
    """A DCAT distribution with media type, size, SHA-256 (spdx:checksum, as DCAT 3 does) and triple count."""
    add = v.add
    dist = URIRef(f"{ds}/distribution/{dump.name}")
    url = URIRef(download_base + dump.name)
    checksum = URIRef(f"{dist}#sha256")
    add((ds, DCAT.distribution, dist))
    add((ds, VOID.dataDump, url))
    add((dist, RDF.type, DCAT.Distribution))
    add((dist, DCTERMS.title, Literal(dump.name)))
    add((dist, DCAT.downloadURL, url))
    add((dist, DCAT.mediaType, URIRef(IANA + dump.media_type)))
    if fmt := FORMAT_OF.get(dump.media_type):
        add((dist, DCTERMS["format"], FORMATS[fmt]))
        add((ds, VOID.feature, FORMATS[fmt]))
    add((dist, DCAT.byteSize, Literal(dump.byte_size, datatype=XSD.nonNegativeInteger)))
    add((dist, VOID.triples, Literal(dump.triples, datatype=XSD.integer)))
    add((dist, SPDX.checksum, checksum))
    add((checksum, RDF.type, SPDX.Checksum))
    add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))


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
