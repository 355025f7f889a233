"""void.ttl: a DCAT-AP 3.0 catalogue that meets the specification's mandatory rules (shapes written from the
spec, each tested on a conforming and a breaking snippet), and VoID statements that mean what they say: every
dataset's counts equal what its own dump files hold, sizes and checksums equal the files."""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SH, SKOS, VOID, XSD

from kg_build.errors import InputError
from kg_build.namespaces import CTOC, ID
from kg_build.publish.void import build_void, load_dataset_info
from tests.conftest import DATA, FIXTURES, ONTOLOGY, SEED

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCAP = Namespace("https://w3id.org/ctoc-kg/shapes/dcat-ap-3.0#")
EU = "http://publications.europa.eu/resource/authority/"
SHAPES = ONTOLOGY / "shapes" / "external" / "dcat-ap-3.0-mandatory.ttl"
MINIMAL = FIXTURES / "dcat-ap" / "minimal.ttl"
OX_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD,
              ".rdf": ox.RdfFormat.RDF_XML, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}


@pytest.fixture(scope="module")
def void(built_dist: Path) -> Graph:
    return Graph().parse(built_dist / "void.ttl", format="turtle")


@pytest.fixture(scope="module")
def datasets(void: Graph) -> dict[str, URIRef]:
    """The described datasets by the last segment of their IRI ('dataset', 'asserted', 'inferred')."""
    found = {str(d).rsplit("/", 1)[-1]: d for d in void.subjects(RDF.type, DCAT.Dataset)}
    assert set(found) == {"dataset", "asserted", "inferred"}
    return found  # type: ignore[return-value]


def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def violations(data: Graph) -> set[URIRef]:
    """The property shapes of the DCAT-AP file that `data` breaks."""
    conforms, report, _ = validate(data, shacl_graph=shapes(), inference="none")
    found = {s for s in report.objects(None, SH.sourceShape) if isinstance(s, URIRef)}
    assert conforms == (not found)
    return found


# --- DCAT-AP 3.0 mandatory rules ------------------------------------------------------------------

def test_void_meets_the_dcat_ap_mandatory_rules(void: Graph) -> None:
    assert violations(void) == set()


def test_minimal_snippet_meets_every_shape() -> None:
    assert violations(Graph().parse(MINIMAL, format="turtle")) == set()


PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcatap: <http://data.europa.eu/r5r/> PREFIX ex: <http://example.org/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
# One way to break each rule of the minimal snippet (a SPARQL update), by the shape that must catch it.
BREAKING: dict[str, str] = {
    "Catalogue-title": "DELETE WHERE { ex:catalog dcterms:title ?o }",
    "Catalogue-description": "DELETE WHERE { ex:catalog dcterms:description ?o }",
    "Catalogue-publisher": "INSERT DATA { ex:catalog dcterms:publisher ex:second }",
    "Catalogue-language": "INSERT DATA { ex:catalog dcterms:language <http://id.loc.gov/vocabulary/iso639-1/en> }",
    "Dataset-title": "DELETE WHERE { ex:dataset dcterms:title ?o }",
    "Dataset-description": "DELETE WHERE { ex:dataset dcterms:description ?o }",
    "Dataset-language": "INSERT DATA { ex:dataset dcterms:language \"zh\" }",
    "Dataset-spatial": "INSERT DATA { ex:dataset dcterms:spatial <http://www.wikidata.org/entity/Q2> }",
    "Dataset-source": "INSERT DATA { ex:dataset dcterms:source <https://w3id.org/ctoc-kg/id/report/r> }",
    "Distribution-accessURL": "DELETE WHERE { ex:distribution dcat:accessURL ?o }",
    "Distribution-format": "DELETE { ex:distribution dcterms:format ?f }"
                           " INSERT { ex:distribution dcterms:format <http://www.w3.org/ns/formats/N-Triples> }"
                           " WHERE { ex:distribution dcterms:format ?f }",
    "Distribution-mediaType": "INSERT DATA { ex:distribution dcat:mediaType \"application/n-triples\" }",
    "Distribution-byteSize": "DELETE { ex:distribution dcat:byteSize ?b } INSERT { ex:distribution dcat:byteSize 42.0 }"
                             " WHERE { ex:distribution dcat:byteSize ?b }",
    "Distribution-availability": "INSERT DATA { ex:distribution dcatap:availability"
                                 " <http://data.europa.eu/r5r/stable> }",
    "DataService-title": "DELETE WHERE { ex:service dcterms:title ?o }",
    "DataService-endpointURL": "DELETE WHERE { ex:service dcat:endpointURL ?o }",
    "theme": "DELETE { ex:service dcat:theme ?t } INSERT { ex:service dcat:theme <http://eurovoc.europa.eu/1> }"
             " WHERE { ex:service dcat:theme ?t }",
    "Agent-name": "DELETE WHERE { ex:agent foaf:name ?o }",
    "Agent-type": "DELETE { ex:agent dcterms:type ?t } INSERT { ex:agent dcterms:type ex:kind }"
                  " WHERE { ex:agent dcterms:type ?t }",
    "Checksum-algorithm": "DELETE WHERE { ex:checksum spdx:algorithm ?o }",
    "Checksum-checksumValue": "DELETE { ex:checksum spdx:checksumValue ?v } INSERT { ex:checksum spdx:checksumValue"
                              " \"e3b0c442\" } WHERE { ex:checksum spdx:checksumValue ?v }",
    "Concept-prefLabel": "DELETE WHERE { ?c skos:prefLabel ?o }",
    "ConceptScheme-title": "DELETE { ?s dcterms:title ?o } WHERE { ?s a skos:ConceptScheme ; dcterms:title ?o }",
}


def test_every_shape_has_a_breaking_case() -> None:
    declared = {str(p).removeprefix(str(DCAP)) for p in shapes().objects(None, SH.property)}
    assert declared == set(BREAKING)


@pytest.mark.parametrize("shape", sorted(BREAKING))
def test_breaking_snippet_is_caught_by_its_shape(shape: str) -> None:
    data = Graph().parse(MINIMAL, format="turtle")
    before = set(data)
    data.update(PREFIXES + BREAKING[shape])
    assert set(data) != before  # the update changed the snippet
    assert violations(data) == {DCAP[shape]}


# --- the catalogue, the datasets and the words --------------------------------------------------

def test_catalog_lists_the_datasets_and_the_service(void: Graph, datasets: dict[str, URIRef]) -> None:
    catalog = void.value(predicate=RDF.type, object=DCAT.Catalog)
    assert catalog is not None
    assert set(void.objects(catalog, DCAT.dataset)) == set(datasets.values())
    service = void.value(catalog, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in void
    assert void.value(service, DCAT.servesDataset) == datasets["dataset"]
    assert void.value(service, DCTERMS.conformsTo) == URIRef("https://www.w3.org/TR/sparql11-protocol/")
    assert void.value(service, DCAT.endpointDescription) is not None
    assert void.value(catalog, FOAF.homepage) is not None
    whole = datasets["dataset"]
    assert set(void.objects(whole, DCTERMS.hasPart)) == {datasets["asserted"], datasets["inferred"]}
    assert set(void.objects(whole, VOID.subset)) == {datasets["asserted"], datasets["inferred"]}
    assert void.value(datasets["inferred"], DCTERMS.source) == datasets["asserted"]


def test_words_in_both_languages(void: Graph, datasets: dict[str, URIRef]) -> None:
    catalog = void.value(predicate=RDF.type, object=DCAT.Catalog)
    service = void.value(predicate=RDF.type, object=DCAT.DataService)
    for subject in [catalog, service, *datasets.values()]:
        assert {o.language for o in void.objects(subject, DCTERMS.title)} == {"en", "zh"}, subject  # type: ignore
    for subject in [catalog, *datasets.values(), *void.subjects(RDF.type, DCAT.Distribution)]:
        assert {o.language for o in void.objects(subject, DCTERMS.description)} == {"en", "zh"}, subject  # type: ignore


def test_every_recommended_dataset_property(void: Graph, datasets: dict[str, URIRef]) -> None:
    """DCAT-AP 3.0 recommends contact point, distribution, keyword, publisher, spatial, temporal and theme."""
    for ds in datasets.values():
        contact = void.value(ds, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Kind) in void
        assert void.value(contact, VCARD.hasURL) or void.value(contact, VCARD.hasEmail)
        assert {k.language for k in void.objects(ds, DCAT.keyword)} == {"en", "zh"}  # type: ignore[attr-defined]
        publisher = void.value(ds, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in void
        assert str(void.value(publisher, DCTERMS.type)).startswith("http://purl.org/adms/publishertype/")
        assert void.value(ds, DCTERMS.spatial) == URIRef(EU + "continent/WORLD")
        themes = {str(t) for t in void.objects(ds, DCAT.theme)}
        assert {EU + "data-theme/JUST", EU + "data-theme/INTR", EU + "data-theme/GOVE"} <= themes
        assert list(void.objects(ds, DCAT.distribution))
        assert void.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_languages_are_those_of_the_literals(void: Graph, datasets: dict[str, URIRef], kg: Graph) -> None:
    tags = {o.language for o in kg.objects() if isinstance(o, Literal) and o.language}
    codes = {str(lang).rsplit("/", 1)[-1] for lang in void.objects(datasets["asserted"], DCTERMS.language)}
    assert len(codes) == len(tags) and {"ZHO", "ENG"} <= codes


def test_dates_are_the_report_issue_date(void: Graph, datasets: dict[str, URIRef]) -> None:
    """The header's English issue date (``14 November 2012``) is both issued and modified, never the clock."""
    found = re.search(r"^(\d{1,2} [A-Z][a-z]+ \d{4})$", SEED.read_text(encoding="utf-8"), re.M)
    assert found is not None
    issued = Literal(datetime.strptime(found.group(1), "%d %B %Y").date().isoformat(), datatype=XSD.date)
    catalog = void.value(predicate=RDF.type, object=DCAT.Catalog)
    for subject in [catalog, *datasets.values(), *void.subjects(RDF.type, DCAT.Distribution)]:
        assert void.value(subject, DCTERMS.issued) == issued
        assert void.value(subject, DCTERMS.modified) == issued


def test_temporal_coverage_is_the_meeting(void: Graph, datasets: dict[str, URIRef]) -> None:
    """The report's dateline ``2012年10月15日、16日和18日`` gives the period 2012-10-15 to 2012-10-18."""
    dateline = r"^(\d{4})年(\d{1,2})月(\d{1,2})日[、\d日和至]*?(\d{1,2})日，"
    found = re.search(dateline, SEED.read_text(encoding="utf-8"), re.M)
    assert found is not None
    year, month, first, last = (int(g) for g in found.groups())
    for ds in datasets.values():
        period = void.value(ds, DCTERMS.temporal)
        assert (period, RDF.type, DCTERMS.PeriodOfTime) in void
        assert void.value(period, DCAT.startDate) == Literal(date(year, month, first).isoformat(), datatype=XSD.date)
        assert void.value(period, DCAT.endDate) == Literal(date(year, month, last).isoformat(), datatype=XSD.date)


# --- VoID means what it says ----------------------------------------------------------------------

def load_dump(path: Path) -> ox.Store:
    """A dump in an Oxigraph store, every triple in the default graph (the named graphs of quads merged)."""
    store = ox.Store()
    for quad in ox.parse(path=path, format=OX_FORMATS[path.suffix]):
        store.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
    return store


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)  # type: ignore[index, union-attr]


def test_each_dataset_is_exactly_its_dumps(built_dist: Path, void: Graph, datasets: dict[str, URIRef]) -> None:
    """void:triples, entities and class partitions of every dataset equal what each of its dumps holds."""
    held = {name: {str(void.value(d, DCTERMS.title)) for d in void.objects(ds, DCAT.distribution)}
            for name, ds in datasets.items()}
    assert held == {"dataset": {"kg.trig", "kg.nq"}, "asserted": {"kg.nt", "kg.ttl", "kg.jsonld", "kg.rdf"},
                    "inferred": {"inferred.nt"}}
    for name, ds in datasets.items():
        stated = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
                  for p in void.objects(ds, VOID.classPartition)}
        for file in sorted(held[name]):
            store = load_dump(built_dist / file)
            assert int(void.value(ds, VOID.triples)) == len(store), file  # type: ignore[arg-type]
            entities = count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o FILTER(isIRI(?s) && "
                                    f"STRSTARTS(STR(?s), '{ID}')) }}")
            assert int(void.value(ds, VOID.entities)) == entities, file  # type: ignore[arg-type]
            per_class = {URIRef(row[0].value): int(row[1].value) for row in  # type: ignore[index, union-attr]
                         store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c")}
            assert stated == per_class, file
    assert int(void.value(datasets["dataset"], VOID.triples)) == sum(  # type: ignore[arg-type]
        int(void.value(datasets[n], VOID.triples)) for n in ("asserted", "inferred"))  # type: ignore[arg-type]


def test_paragraph_partition_counts_the_report(void: Graph, datasets: dict[str, URIRef]) -> None:
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
                  for p in void.objects(datasets["asserted"], VOID.classPartition)}
    assert partitions[CTOC.Paragraph] == len(re.findall(r"^\d+\. ", SEED.read_text(encoding="utf-8"), re.M))


def test_distributions_match_the_files(built_dist: Path, void: Graph) -> None:
    distributions = list(void.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == 7
    for dist in distributions:
        path = built_dist / str(void.value(dist, DCTERMS.title))
        data = path.read_bytes()
        size = void.value(dist, DCAT.byteSize)
        assert size == Literal(len(data), datatype=XSD.nonNegativeInteger)
        checksum = void.value(dist, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert void.value(checksum, SPDX.checksumValue) == Literal(hashlib.sha256(data).hexdigest(),
                                                                   datatype=XSD.hexBinary)
        media = str(void.value(dist, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/") and "/" in media[45:]
        assert str(void.value(dist, DCTERMS["format"])).startswith(EU + "file-type/")
        assert str(void.value(dist, DCAT.downloadURL)).endswith("/" + path.name)
        assert void.value(dist, DCAT.accessURL) == void.value(dist, DCAT.downloadURL)


def test_vocabularies_and_endpoint(kg: Graph, void: Graph, datasets: dict[str, URIRef]) -> None:
    vocabularies = {str(v) for v in void.objects(datasets["asserted"], VOID.vocabulary)}
    for p in set(kg.predicates()):
        assert any(str(p).startswith(v) and "/" not in str(p)[len(v):] and "#" not in str(p)[len(v):]
                   for v in vocabularies), p
    endpoint = void.value(datasets["dataset"], VOID.sparqlEndpoint)
    service = void.value(predicate=RDF.type, object=DCAT.DataService)
    assert void.value(service, DCAT.endpointURL) == endpoint
    report = next(kg.subjects(RDF.type, CTOC.Report))
    assert (datasets["asserted"], VOID.exampleResource, report) in void
    assert list(void.objects(datasets["asserted"], DCTERMS.source)) == []  # a report is no dcat:Dataset


# --- the placeholder rule and the data file ----------------------------------------------------------

def test_local_endpoint_is_described_as_a_placeholder(kg: Graph, void: Graph) -> None:
    service = void.value(predicate=RDF.type, object=DCAT.DataService)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/sparql", str(void.value(service, DCAT.endpointURL)))
    assert any(str(d).startswith("Placeholder") for d in void.objects(service, DCTERMS.description))


def with_addresses(endpoint: str, base: str) -> dict[str, Any]:
    info = copy.deepcopy(load_dataset_info())
    info["sparql_endpoint"], info["download_base"] = endpoint, base
    return info


def test_public_endpoint_is_not_a_placeholder(built_dist: Path, store: ox.Store, tmp_path: Path) -> None:
    info = with_addresses("https://sparql.example.org/ctoc", "https://files.example.org/ctoc/")
    v = build_void(built_dist, store, [], info=info, queries=tmp_path)
    service = v.value(predicate=RDF.type, object=DCAT.DataService)
    assert v.value(service, DCAT.endpointURL) == URIRef("https://sparql.example.org/ctoc")
    descriptions = [str(d) for d in v.objects(service, DCTERMS.description)]
    assert descriptions and not any("Placeholder" in d or "占位" in d for d in descriptions)
    assert v.value(service, DCAT.endpointDescription) == URIRef("https://files.example.org/ctoc/void.ttl")


def test_local_download_base_marks_each_distribution(built_dist: Path, store: ox.Store, kg: Graph,
                                                    tmp_path: Path) -> None:
    from kg_build.publish.dumps import describe
    info = with_addresses("https://sparql.example.org/ctoc", "http://localhost:8000/")
    v = build_void(built_dist, store, [describe(built_dist, "kg.nt", len(kg))], info=info, queries=tmp_path)
    dist = v.value(predicate=RDF.type, object=DCAT.Distribution)
    assert v.value(dist, DCAT.accessURL) == URIRef("http://localhost:8000/kg.nt")
    assert any(str(c).startswith("Placeholder") for c in v.objects(dist, RDFS.comment))


def test_concepts_are_labelled(void: Graph) -> None:
    for concept in void.subjects(RDF.type, SKOS.Concept):
        assert void.value(concept, SKOS.prefLabel) is not None, concept
        assert void.value(concept, SKOS.inScheme) is not None, concept


def test_example_queries_from_a_query_folder(built_dist: Path, store: ox.Store, tmp_path: Path) -> None:
    (tmp_path / "reports.rq").write_text("# Which reports are there?\nSELECT ?r WHERE { ?r a <x:R> }\n")
    (tmp_path / "exists.rq").write_text("# Is there a report?\n# SELECT in a comment\nASK { ?r a <x:R> }\n")
    void = build_void(built_dist, store, [], queries=tmp_path)
    comments = {str(void.value(q, RDFS.comment)): q for q in void.subjects(RDF.type, SH.SPARQLExecutable)}
    assert set(comments) == {"Which reports are there?", "Is there a report?"}
    assert "SELECT ?r" in str(void.value(comments["Which reports are there?"], SH.select))
    assert "ASK" in str(void.value(comments["Is there a report?"], SH.ask))


def test_bad_dataset_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "dataset.yaml"
    bad.write_text("title_en: a: b\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_dataset_info(bad)


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "dataset.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "dataset.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_missing_key_names_file_and_line(tmp_path: Path) -> None:
    path = edited(tmp_path, "  url: https://w3id.org/ctoc-kg/\n", "")
    with pytest.raises(InputError) as err:
        load_dataset_info(path)
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("contact_point:"))
    assert str(err.value) == f"{path}:{line}: error: missing key 'contact_point.url'"


def test_relative_endpoint_is_refused_with_its_line(tmp_path: Path) -> None:
    path = edited(tmp_path, "sparql_endpoint: http://127.0.0.1:7878/sparql", "sparql_endpoint: /sparql")
    with pytest.raises(InputError) as err:
        load_dataset_info(path)
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("sparql_endpoint:"))
    assert f"{path}:{line}: error: 'sparql_endpoint' is not an absolute" in str(err.value)


def test_unknown_language_tag_is_an_input_error(built_dist: Path, store: ox.Store, tmp_path: Path) -> None:
    info = copy.deepcopy(load_dataset_info())
    del info["languages"]["ru"]
    with pytest.raises(InputError, match="no EU language IRI for the tag 'ru'"):
        build_void(built_dist, store, [], info=info, queries=tmp_path)
