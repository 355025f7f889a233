"""Ontology documentation: pyLODE's page and the Graphviz class diagram are made from ontology/ctoc.ttl
(every class, every subclass edge, object properties from domain to range); a missing ontology or a
missing `dot` is reported and the rest still written."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg_build.namespaces import CTOC
from kg_build.publish import ontodoc
from tests.conftest import ONTOLOGY

MINI = """
@prefix ctoc: <https://w3id.org/ctoc-kg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/ctoc-kg/ontology> a owl:Ontology ; dcterms:title "Mini ontology"@en .
ctoc:Report a owl:Class .
ctoc:Meeting a owl:Class .
ctoc:AgendaItem a owl:Class .
ctoc:TextUnit a owl:Class .
ctoc:Paragraph a owl:Class ; rdfs:subClassOf ctoc:TextUnit .
ctoc:inActivity a owl:ObjectProperty ; rdfs:domain ctoc:Report ;
    rdfs:range [ a owl:Class ; owl:unionOf ( ctoc:Meeting ctoc:AgendaItem ) ] .
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "ctoc.ttl", format="turtle")


def test_pylode_page_of_the_ontology(built_dist: Path, ontology: Graph) -> None:
    page = (built_dist / "ontology/index.html").read_text(encoding="utf-8")
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    title = str(next(ontology.objects(onto, DCTERMS.title)))
    assert title in page
    classes = [c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(CTOC))]
    assert classes and all(str(c) in page for c in classes)


def test_class_diagram_has_every_class_and_subclass_edge(built_dist: Path, ontology: Graph) -> None:
    dot = (built_dist / "ontology/classes.dot").read_text(encoding="utf-8")
    svg = (built_dist / "ontology/classes.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef):
            assert f'"{cls}" [label=' in dot, cls
            assert f'xlink:href="{cls}"' in svg, cls
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            assert f'"{sub}" -> "{sup}" [arrowhead=empty]' in dot, (sub, sup)


def test_union_ranges_give_one_edge_per_member(tmp_path: Path) -> None:
    source = tmp_path / "mini.ttl"
    source.write_text(MINI, encoding="utf-8")
    assert ontodoc.write_ontology_docs(tmp_path / "out", source) == []
    dot = (tmp_path / "out/ontology/classes.dot").read_text(encoding="utf-8")
    for target in ("Meeting", "AgendaItem"):
        assert f'"{CTOC.Report}" -> "{CTOC[target]}" [label="inActivity"' in dot
    assert "Mini ontology" in (tmp_path / "out/ontology/index.html").read_text(encoding="utf-8")


def test_missing_ontology_is_reported(tmp_path: Path) -> None:
    notes = ontodoc.write_ontology_docs(tmp_path / "out", tmp_path / "ctoc.ttl")
    assert len(notes) == 1 and "does not exist yet" in notes[0]
    assert not (tmp_path / "out/ontology").exists()


def test_missing_dot_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "mini.ttl"
    source.write_text(MINI, encoding="utf-8")
    monkeypatch.setattr(ontodoc.shutil, "which", lambda name: None)
    notes = ontodoc.write_ontology_docs(tmp_path / "out", source)
    assert len(notes) == 1 and "dot" in notes[0]
    assert (tmp_path / "out/ontology/index.html").is_file() and (tmp_path / "out/ontology/classes.dot").is_file()
    assert not (tmp_path / "out/ontology/classes.svg").exists()
