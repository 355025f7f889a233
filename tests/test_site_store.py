"""The site rendered from the build's store: each page's data files written without rdflib say the same triples
(Turtle, JSON-LD, RDF/XML read back by rdflib equal the N-Triples, which equal rdflib's own), a rebuild renders
only the pages whose input changed and gives the same bytes as a full render, and two processes write the same
site as one."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg_build.namespaces import CTOC, ID
from kg_build.publish.site.data import graph_store
from kg_build.publish.site.manifest import MANIFEST
from kg_build.publish.site.writer import write_site
from kg_build.publish.store import STORE_DIR
from kg_build.serialize import canonical_ntriples
from tests.test_dumps import report_iri
from tests.test_site import page_path

FORMATS = (("index.ttl", "turtle"), ("index.jsonld", "json-ld"), ("index.rdf", "xml"), ("index.nt", "nt"))


def read(folder: Path, name: str, fmt: str) -> Graph:
    return Graph().parse(folder / name, format=fmt)


def same_in_every_format(folder: Path, formats: tuple[tuple[str, str], ...] = FORMATS) -> Graph:
    """The page's N-Triples graph, after checking that every other format holds the same triples."""
    reference = read(folder, "index.nt", "nt")
    assert len(reference) > 0, folder
    for name, fmt in formats:
        assert set(read(folder, name, fmt)) == set(reference), (folder, name)
    return reference


def test_every_format_of_sampled_pages_holds_the_same_triples(built_dist: Path) -> None:
    pages = sorted((built_dist / "site").rglob("index.nt"))
    assert len(pages) > 800
    for nt in pages[:: len(pages) // 60]:
        graph = same_in_every_format(nt.parent)
        assert (nt.parent / "index.nt").read_text(encoding="utf-8") == canonical_ntriples(graph)


def test_page_data_keep_the_datatypes_the_build_wrote(built_dist: Path, kg: Graph) -> None:
    """A paragraph's page (with its #position-zh selector, whose oa:start and oa:end are xsd:nonNegativeInteger,
    which the store keeps as xsd:integer) holds its lines of kg.nt byte for byte."""
    unit = f"{report_iri()}/para_1"
    expected = Graph()
    for s, p, o in kg:
        if any(str(t) == unit or str(t).startswith(unit + "#") for t in (s, o)):
            expected.add((s, p, o))
    text = (page_path(built_dist / "site", unit).parent / "index.nt").read_text(encoding="utf-8")
    assert "XMLSchema#nonNegativeInteger" in text
    assert text == canonical_ntriples(expected)


def edge_graph() -> Graph:
    """Literals and IRIs that test escaping and the choice of JSON-LD terms."""
    g = Graph()
    node, other = ID["state/XYZ"], ID["doc/A/B.1/2012/1"]
    g.add((node, RDF.type, CTOC.State))
    g.add((node, RDFS.label, Literal('tab\there "quoted" back\\slash\nline', lang="en")))
    g.add((node, RDFS.label, Literal("无语言标签")))
    g.add((node, RDFS.label, Literal("中文", lang="zh")))
    g.add((node, RDFS.label, Literal("second", lang="en")))
    g.add((node, CTOC.text, Literal("中文文本", lang="zh")))
    g.add((node, CTOC.text, Literal("English text", lang="en")))
    g.add((node, CTOC.order, Literal("7", datatype=XSD.integer)))
    g.add((node, CTOC.order, Literal("8", datatype=URIRef("http://example.org/datatype"))))
    g.add((node, URIRef("http://example.org/no-prefix#p"), Literal("2012", datatype=XSD.gYear)))
    g.add((node, URIRef("http://example.org/no-prefix#p"), URIRef("http://example.org/thing/1")))
    g.add((node, CTOC.inReport, other))
    g.add((node, CTOC.mentionText, Literal("@context")))
    g.add((node, URIRef(str(CTOC) + "odd.name."), Literal("x")))
    g.add((other, URIRef("http://data.europa.eu/eli/ontology#number"), Literal("12")))
    g.add((other, RDF.type, URIRef("http://example.org/Class")))
    return g


def test_edge_cases_survive_every_format(tmp_path: Path) -> None:
    graph = edge_graph()
    write_site(graph_store(graph), tmp_path)
    site = tmp_path / "site"
    for iri in (ID["state/XYZ"], ID["doc/A/B.1/2012/1"]):
        folder = page_path(site, str(iri)).parent
        page = same_in_every_format(folder)
        # a carriage return: kept by N-Triples, Turtle and JSON-LD (Oxigraph's RDF/XML writes it raw, and XML
        # readers turn it into a line feed, as before this writer)
        carriage = Graph()
        carriage.add((iri, RDFS.comment, Literal("line\rreturn")))
        write_site(graph_store(carriage), tmp_path / "cr")
        same_in_every_format(page_path(tmp_path / "cr/site", str(iri)).parent, FORMATS[:2])
        expected = Graph()
        for triple in graph:
            if iri in (triple[0], triple[2]):
                expected.add(triple)
        assert (folder / "index.nt").read_text(encoding="utf-8") == canonical_ntriples(expected)
        assert set(page) == set(expected)


def edited(kg: Graph, inferred: Graph) -> tuple[Graph, URIRef]:
    """The seed graph with the text of paragraph 5 changed (one report edited)."""
    unit = URIRef(f"{report_iri()}/para_5")
    graph = Graph()
    for triple in kg:
        graph.add(triple)
    old = graph.value(unit, CTOC.text)
    graph.remove((unit, CTOC.text, old))
    graph.add((unit, CTOC.text, Literal(str(old) + "（已修改）", lang="zh")))
    return graph, unit


@pytest.fixture(scope="module")
def inferred(built_dist: Path) -> Graph:
    return Graph().parse(built_dist / "inferred.nt", format="nt")


def site_files(site: Path) -> list[Path]:
    return sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())


def test_a_rebuild_renders_only_changed_pages_and_equals_a_full_render(kg: Graph, inferred: Graph,
                                                                       tmp_path: Path) -> None:
    first = tmp_path / "first"
    full = write_site(graph_store(kg, inferred), first)
    graph, unit = edited(kg, inferred)
    again = write_site(graph_store(graph, inferred), tmp_path / "again", previous=first)
    fresh = write_site(graph_store(graph, inferred), tmp_path / "fresh")
    assert full.pages == again.pages == fresh.pages and fresh.linked == 0
    rendered = again.pages - again.linked
    assert 0 < rendered < again.pages // 10, rendered
    a, b = tmp_path / "again/site", tmp_path / "fresh/site"
    assert site_files(a) == site_files(b)
    mismatch = filecmp.cmpfiles(a, b, [str(p) for p in site_files(a)], shallow=False)
    assert mismatch[1] == [] and mismatch[2] == []
    # the edited paragraph's page and the report's page were rendered; an unrelated State's page is a hard link
    for iri, linked in ((str(unit), False), (str(report_iri()), False), (str(ID["state/ECU"]), True)):
        new, old = page_path(a, iri), page_path(first / "site", iri)
        assert os.path.samefile(new, old) is linked, iri
    assert "（已修改）" in page_path(a, str(unit)).read_text(encoding="utf-8")


def test_two_processes_write_the_same_site_as_one(built_dist: Path, tmp_path: Path) -> None:
    one = write_site(built_dist / STORE_DIR, tmp_path / "one")
    two = write_site(built_dist / STORE_DIR, tmp_path / "two", processes=2)
    assert one == two
    a, b = tmp_path / "one/site", tmp_path / "two/site"
    assert site_files(a) == site_files(b) and (a / MANIFEST).is_file()
    mismatch = filecmp.cmpfiles(a, b, [str(p) for p in site_files(a)], shallow=False)
    assert mismatch[1] == [] and mismatch[2] == []
