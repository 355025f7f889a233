"""void.ttl: the counts, sizes and checksums it states match the dumps, its dates are the report's,
and it carries the words a catalogue needs in English and Chinese."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SH, VOID, XSD

from kg_build.errors import InputError
from kg_build.namespaces import CTOC
from kg_build.publish.void import build_void, load_dataset_info
from tests.conftest import SEED

SPDX = Namespace("http://spdx.org/rdf/terms#")
PARSERS = {".nt": "nt", ".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml", ".trig": "trig", ".nq": "nquads"}


@pytest.fixture(scope="module")
def void(built_dist: Path) -> Graph:
    return Graph().parse(built_dist / "void.ttl", format="turtle")


@pytest.fixture(scope="module")
def dataset(void: Graph) -> URIRef:
    found = list(void.subjects(RDF.type, VOID.Dataset))
    main = [d for d in found if (d, DCAT.distribution, None) in void]
    assert len(main) == 1
    return main[0]  # type: ignore[return-value]


def count_triples(path: Path) -> int:
    if path.suffix in (".trig", ".nq"):
        data = Dataset()
        data.parse(path, format=PARSERS[path.suffix])
        return len(data)
    return len(Graph().parse(path, format=PARSERS[path.suffix]))


def test_words_in_both_languages(void: Graph, dataset: URIRef) -> None:
    for prop in (DCTERMS.title, DCTERMS.description):
        assert {o.language for o in void.objects(dataset, prop)} == {"en", "zh"}
    assert (dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    publisher = void.value(dataset, DCTERMS.publisher)
    assert publisher is not None and void.value(publisher, FOAF.name) is not None


def test_dates_are_the_report_issue_date(void: Graph, dataset: URIRef) -> None:
    """The header's English issue date (``14 November 2012``) is both issued and modified for one report."""
    text = SEED.read_text(encoding="utf-8")
    found = re.search(r"^(\d{1,2} [A-Z][a-z]+ \d{4})$", text, re.M)
    assert found is not None
    issued = datetime.strptime(found.group(1), "%d %B %Y").date().isoformat()
    assert void.value(dataset, DCTERMS.issued) == Literal(issued, datatype=XSD.date)
    assert void.value(dataset, DCTERMS.modified) == Literal(issued, datatype=XSD.date)


def test_distributions_match_the_files(built_dist: Path, void: Graph, dataset: URIRef) -> None:
    distributions = list(void.objects(dataset, DCAT.distribution))
    names = {str(void.value(d, DCTERMS.title)) for d in distributions}
    assert {"kg.nt", "kg.ttl", "kg.trig", "kg.nq", "kg.jsonld", "kg.rdf"} <= names
    for dist in distributions:
        path = built_dist / str(void.value(dist, DCTERMS.title))
        data = path.read_bytes()
        assert int(void.value(dist, DCAT.byteSize)) == len(data)  # type: ignore[arg-type]
        checksum = void.value(dist, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert int(void.value(dist, VOID.triples)) == count_triples(path), path.name  # type: ignore[arg-type]
        media = str(void.value(dist, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/") and "/" in media[45:]
        assert str(void.value(dist, DCAT.downloadURL)).endswith("/" + path.name)


def test_counts_match_kg_nt(built_dist: Path, kg: Graph, void: Graph, dataset: URIRef) -> None:
    lines = [line for line in (built_dist / "kg.nt").read_text(encoding="utf-8").splitlines() if line]
    assert int(void.value(dataset, VOID.triples)) == len(lines)  # type: ignore[arg-type]
    entities = kg.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
                        "FILTER(isIRI(?s) && STRSTARTS(STR(?s), 'https://w3id.org/ctoc-kg/id/')) }")
    assert int(void.value(dataset, VOID.entities)) == int(next(iter(entities))[0])  # type: ignore[arg-type]
    per_class = {row[0]: int(row[1]) for row in kg.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    stated = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
              for p in void.objects(dataset, VOID.classPartition)}
    assert stated == per_class
    numbered_paragraphs = len(re.findall(r"^\d+\. ", SEED.read_text(encoding="utf-8"), re.M))
    assert stated[CTOC.Paragraph] == numbered_paragraphs


def test_vocabularies_and_endpoint(kg: Graph, void: Graph, dataset: URIRef) -> None:
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    for p in set(kg.predicates()):
        assert any(str(p).startswith(v) and "/" not in str(p)[len(v):] and "#" not in str(p)[len(v):]
                   for v in vocabularies), p
    endpoint = str(void.value(dataset, VOID.sparqlEndpoint))
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/sparql", endpoint)
    report = next(kg.subjects(RDF.type, CTOC.Report))
    assert (dataset, VOID.exampleResource, report) in void


def test_example_queries_from_a_query_folder(kg: Graph, tmp_path: Path) -> None:
    (tmp_path / "reports.rq").write_text("# Which reports are there?\nSELECT ?r WHERE { ?r a <x:R> }\n")
    (tmp_path / "exists.rq").write_text("# Is there a report?\n# SELECT in a comment\nASK { ?r a <x:R> }\n")
    void = build_void(kg, [], queries=tmp_path)
    comments = {str(void.value(q, RDFS.comment)): q for q in void.subjects(RDF.type, SH.SPARQLExecutable)}
    assert set(comments) == {"Which reports are there?", "Is there a report?"}
    assert "SELECT ?r" in str(void.value(comments["Which reports are there?"], SH.select))
    assert "ASK" in str(void.value(comments["Is there a report?"], SH.ask))


def test_bad_dataset_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "dataset.yaml"
    bad.write_text("title_en: a: b\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_dataset_info(bad)
