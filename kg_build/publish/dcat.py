"""The DCAT-AP 3.0 side of ``void.ttl``: catalogue, dataset words, distributions and the SPARQL data service.

Every word and controlled-vocabulary term comes from ``data/dataset.yaml``; terms that DCAT-AP expects to be
typed (a licence document, a media type, a concept with its label) are typed here, so the file validates
with the DCAT-AP shapes without fetching the EU vocabularies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from kg_build.errors import InputError
from kg_build.publish.dataset_info import DATASET_FILE, is_local, published_url
from kg_build.publish.dumps import Dump

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
IANA = "https://www.iana.org/assignments/media-types/"
LANGUAGES = ("en", "zh")


def words(v: Graph, subject: URIRef, source: dict[str, Any], key: str, prop: URIRef) -> None:
    """`prop` in English and Chinese from ``{key}_en`` / ``{key}_zh`` (folded YAML joined to one line)."""
    for lang in LANGUAGES:
        if text := source.get(f"{key}_{lang}"):
            v.add((subject, prop, Literal(" ".join(str(text).split()), lang=lang)))


def concept(v: Graph, iri: URIRef, info: dict[str, Any]) -> URIRef:
    """A controlled-vocabulary concept with its scheme and English label (DCAT-AP: a Concept has a prefLabel)."""
    entry = info.get("concepts", {}).get(str(iri))
    if not isinstance(entry, dict) or not entry.get("label_en") or not entry.get("scheme"):
        raise InputError(DATASET_FILE, 0, f"concepts: no scheme and label_en for {iri}")
    v.add((iri, RDF.type, SKOS.Concept))
    v.add((iri, SKOS.prefLabel, Literal(entry["label_en"], lang="en")))
    v.add((iri, SKOS.inScheme, URIRef(entry["scheme"])))
    return iri


def typed(v: Graph, iri: str, cls: URIRef) -> URIRef:
    """`iri` as an instance of `cls` (DCAT-AP's range classes: LicenseDocument, MediaType, Location...)."""
    term = URIRef(iri)
    v.add((term, RDF.type, cls))
    return term


def publisher(v: Graph, info: dict[str, Any]) -> URIRef:
    """The publishing agent: foaf:Agent with names, homepage and an ADMS publisher type."""
    data = info["publisher"]
    agent = URIRef(data["iri"])
    v.add((agent, RDF.type, FOAF.Agent))
    v.add((agent, RDF.type, FOAF.Organization))
    for lang in LANGUAGES:
        v.add((agent, FOAF.name, Literal(data[f"name_{lang}"], lang=lang)))
    v.add((agent, FOAF.homepage, typed(v, data["homepage"], FOAF.Document)))
    if kind := data.get("type"):
        v.add((agent, DCTERMS.type, concept(v, URIRef(kind), info)))
    return agent


def contact_point(v: Graph, info: dict[str, Any]) -> URIRef:
    """The contact point: a vcard:Organization (a vcard:Kind) with a name and a URL or e-mail address."""
    data = info["contact_point"]
    contact = URIRef(data["iri"])
    v.add((contact, RDF.type, VCARD.Kind))
    v.add((contact, RDF.type, VCARD.Organization))
    for lang in LANGUAGES:
        if name := data.get(f"name_{lang}"):
            v.add((contact, VCARD.fn, Literal(name, lang=lang)))
    v.add((contact, VCARD.hasURL, URIRef(data["url"])))
    if email := data.get("email"):
        v.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    return contact


def licence(v: Graph, info: dict[str, Any]) -> URIRef:
    """The licence as a dct:LicenseDocument with its ADMS licence type."""
    document = typed(v, info["license"], DCTERMS.LicenseDocument)
    if kind := info.get("license_type"):
        v.add((document, DCTERMS.type, concept(v, URIRef(kind), info)))
    return document


def location(v: Graph, info: dict[str, Any]) -> URIRef:
    """The geographical coverage as a dct:Location with its bounding box and centroid when the data file gives them."""
    place = typed(v, info["spatial"], DCTERMS.Location)
    for key, prop in (("spatial_bbox", DCAT.bbox), ("spatial_centroid", DCAT.centroid)):
        if wkt := info.get(key):
            v.add((place, prop, Literal(wkt, datatype=GSP.wktLiteral)))
    return place


def catalogued(v: Graph, resource: URIRef, info: dict[str, Any]) -> None:
    """What a dataset and the data service share: publisher, contact, licence, keywords and themes."""
    v.add((resource, DCTERMS.publisher, publisher(v, info)))
    v.add((resource, DCAT.contactPoint, contact_point(v, info)))
    v.add((resource, DCTERMS.license, licence(v, info)))
    for lang in LANGUAGES:
        for keyword in info["keywords"][lang]:
            v.add((resource, DCAT.keyword, Literal(keyword, lang=lang)))
    for theme in info["themes"]:
        v.add((resource, DCAT.theme, concept(v, URIRef(theme), info)))


def coverage(v: Graph, ds: URIRef, info: dict[str, Any], period: tuple[str, str] | None) -> None:
    """Geographical coverage from the data file, temporal coverage from the meetings' dates."""
    v.add((ds, DCTERMS.spatial, location(v, info)))
    if period is not None:
        when = URIRef(f"{ds}#period")
        v.add((ds, DCTERMS.temporal, when))
        v.add((when, RDF.type, DCTERMS.PeriodOfTime))
        v.add((when, DCAT.startDate, Literal(period[0], datatype=XSD.date)))
        v.add((when, DCAT.endDate, Literal(period[1], datatype=XSD.date)))


def languages(v: Graph, resource: URIRef, tags: Iterable[str], info: dict[str, Any]) -> None:
    """dct:language from the EU language authority for every language tag in use (its primary subtag)."""
    table = info["languages"]
    for tag in sorted({t.split("-")[0].lower() for t in tags}):
        if tag not in table:
            raise InputError(DATASET_FILE, 0, f"languages: no EU language IRI for the tag '{tag}' used in the graph")
        v.add((resource, DCTERMS.language, typed(v, table[tag], DCTERMS.LinguisticSystem)))


def dated(v: Graph, resource: URIRef, dates: list[str]) -> None:
    """Release and modification dates from the sources (first and last), never the clock."""
    if dates:
        v.add((resource, DCTERMS.issued, Literal(dates[0], datatype=XSD.date)))
        v.add((resource, DCTERMS.modified, Literal(dates[-1], datatype=XSD.date)))


def distribution(v: Graph, ds: URIRef, dump: Dump, info: dict[str, Any], dates: list[str]) -> URIRef:
    """A DCAT-AP distribution of one dump: URLs, EU file type, IANA media type, size, SHA-256, licence."""
    dist = URIRef(f"{info['iri']}/distribution/{dump.name}")
    url = URIRef(published_url(info, dump.name))
    add = v.add
    add((ds, DCAT.distribution, dist))
    add((dist, RDF.type, DCAT.Distribution))
    add((dist, DCTERMS.title, Literal(dump.name)))
    described = info.get("distributions", {}).get(dump.name)
    if not isinstance(described, dict) or not all(described.get(lang) for lang in LANGUAGES):
        raise InputError(DATASET_FILE, 0, f"distributions: no en and zh description for {dump.name}")
    for lang in LANGUAGES:
        add((dist, DCTERMS.description, Literal(described[lang], lang=lang)))
    add((dist, DCAT.accessURL, url))
    add((dist, DCAT.downloadURL, url))
    add((dist, DCAT.mediaType, typed(v, IANA + dump.media_type, DCTERMS.MediaType)))
    add((dist, DCTERMS["format"], typed(v, file_type(info, dump)["eu"], DCTERMS.MediaTypeOrExtent)))
    add((dist, DCAT.byteSize, Literal(dump.byte_size, datatype=XSD.nonNegativeInteger)))
    checksum = URIRef(f"{dist}#sha256")
    add((dist, SPDX.checksum, checksum))
    add((checksum, RDF.type, SPDX.Checksum))
    add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    add((dist, DCTERMS.license, licence(v, info)))
    add((dist, DCATAP.availability, concept(v, URIRef(info["availability"]), info)))
    dated(v, dist, dates)
    if is_local(info["download_base"]):
        words(v, dist, info, "placeholder", RDFS.comment)
    return dist


def file_type(info: dict[str, Any], dump: Dump) -> dict[str, str]:
    """The EU file type and W3C format of a dump's media type (from ``file_types`` in the data file)."""
    entry = info["file_types"].get(dump.media_type)
    if not isinstance(entry, dict) or not entry.get("eu") or not entry.get("w3c"):
        raise InputError(DATASET_FILE, 0, f"file_types: no eu and w3c entry for {dump.media_type} ({dump.name})")
    return entry


def data_service(v: Graph, info: dict[str, Any], serves: URIRef) -> URIRef:
    """The SPARQL endpoint as a dcat:DataService; a loopback endpoint is described as a placeholder."""
    data = info["sparql_service"]
    service = URIRef(f"{info['iri']}/sparql")
    endpoint = str(info["sparql_endpoint"])
    v.add((service, RDF.type, DCAT.DataService))
    words(v, service, data, "title", DCTERMS.title)
    words(v, service, info if is_local(endpoint) else data, "placeholder" if is_local(endpoint) else "description",
          DCTERMS.description)
    v.add((service, DCAT.endpointURL, URIRef(endpoint)))
    v.add((service, DCAT.endpointDescription, URIRef(published_url(info, data["endpoint_description"]))))
    v.add((service, DCAT.servesDataset, serves))
    v.add((service, DCTERMS.conformsTo, typed(v, data["conforms_to"], DCTERMS.Standard)))
    catalogued(v, service, info)
    return service


def catalog(v: Graph, info: dict[str, Any], datasets: Iterable[URIRef], service: URIRef, dates: list[str]) -> URIRef:
    """The dcat:Catalog that lists the datasets and the service."""
    data = info["catalog"]
    cat = URIRef(data["iri"])
    v.add((cat, RDF.type, DCAT.Catalog))
    words(v, cat, data, "title", DCTERMS.title)
    words(v, cat, data, "description", DCTERMS.description)
    v.add((cat, DCTERMS.publisher, publisher(v, info)))
    v.add((cat, FOAF.homepage, typed(v, published_url(info, data["homepage"]), FOAF.Document)))
    v.add((cat, DCTERMS.license, licence(v, info)))
    v.add((cat, DCTERMS.spatial, location(v, info)))
    scheme = typed(v, info["theme_taxonomy"], SKOS.ConceptScheme)
    if not info.get("schemes", {}).get(str(scheme), {}).get("title_en"):
        raise InputError(DATASET_FILE, 0, f"schemes: no title_en for the theme taxonomy {scheme}")
    words(v, scheme, info["schemes"][str(scheme)], "title", DCTERMS.title)
    v.add((cat, DCAT.themeTaxonomy, scheme))
    for ds in datasets:
        v.add((cat, DCAT.dataset, ds))
    v.add((cat, DCAT.service, service))
    dated(v, cat, dates)
    languages(v, cat, LANGUAGES, info)
    return cat
