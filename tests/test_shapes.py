"""The shapes themselves: each file is valid SHACL (checked against SHACL-SHACL, as pySHACL's meta-shacl
option does), every constraint speaks English, every class they name is declared, and every class the
seed graph uses is covered by some shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from kg_build.graph_files import read_graph
from kg_build.namespaces import CTOC, SH_CTOC
from kg_build.reason.closure import load_ontology
from kg_build.validate.shapes import SHAPES_DIR, load_shapes

SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def test_one_shapes_file_per_area() -> None:
    assert [p.name for p in SHAPE_FILES] == ["document.ttl", "entities.ttl", "provenance.ttl", "recommendations.ttl"]


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_shapes_file_conforms_to_shacl_shacl(path: Path) -> None:
    conforms, _, text = meta_validate(read_graph([path]), inference="none")
    assert conforms, text


def test_meta_validation_catches_a_malformed_shape() -> None:
    bad = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:property [ sh:path <urn:p> ; sh:maxCount -1, 2 ] .""", format="turtle")
    assert meta_validate(bad, inference="none")[0] is False


def _english(graph: Graph, node: object) -> bool:
    return any(isinstance(m, Literal) and m.language == "en" for m in graph.objects(node, SH.message))


def test_every_constraint_has_an_english_message() -> None:
    shapes = load_shapes()
    constrained = set()
    constrained |= {s for p in TARGETS for s in shapes.subjects(p, None)}
    constrained |= set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    missing = sorted(str(n) for n in constrained if not _english(shapes, n))
    assert constrained and missing == []


def test_named_shapes_live_in_the_shapes_namespace() -> None:
    shapes = load_shapes()
    named = {s for s in shapes.subjects(RDF.type, None) if isinstance(s, URIRef)
             and shapes.value(s, RDF.type) in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint)}
    assert len(named) > 50
    assert all(str(s).startswith(str(SH_CTOC)) for s in named)


def test_severities_are_chosen_on_purpose() -> None:
    shapes = load_shapes()
    assert shapes.value(SH_CTOC["Mention-linked"], SH.severity) == SH.Warning
    assert shapes.value(SH_CTOC["Recommendation-topic"], SH.severity) == SH.Warning
    for broken in ("Recommendation-addressee", "TextUnit-text", "ExtractedFact-source", "Position-start"):
        assert shapes.value(SH_CTOC[broken], SH.severity) in (None, SH.Violation), broken


def test_every_ctoc_class_the_shapes_name_is_declared() -> None:
    shapes, ontology = load_shapes(), load_ontology()
    named = {o for p in (SH.targetClass, SH["class"]) for o in shapes.objects(None, p)
             if str(o).startswith(str(CTOC))}
    undeclared = sorted(str(c) for c in named if (c, RDF.type, OWL.Class) not in ontology)
    assert named and undeclared == []


def test_every_class_of_the_seed_graph_is_covered_by_a_shape(kg: Graph) -> None:
    shapes, ontology = load_shapes(), load_ontology()
    targeted = set(shapes.objects(None, SH.targetClass))
    used = {c for c in kg.objects(None, RDF.type) if str(c).startswith(str(CTOC))}

    def covered(cls: URIRef) -> bool:
        return any(sup in targeted for sup in ontology.transitive_objects(cls, RDFS.subClassOf))

    assert used and sorted(str(c) for c in used if not covered(c)) == []


def test_shacl_shacl_runs_once_per_shapes_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SHACL-SHACL check of the shapes is stamped in the cache by content: a second process (here: a
    cleared in-process cache) skips it, and a changed shapes file is checked again and refused when malformed."""
    import shutil

    import kg_build.validate.shapes as shapes_module

    monkeypatch.setenv("CTOC_KG_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "shapes"
    shutil.copytree(SHAPES_DIR, folder, ignore=shutil.ignore_patterns("external", "*.md"))
    calls: list[int] = []
    real = shapes_module.meta_validate
    monkeypatch.setattr(shapes_module, "meta_validate", lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(2):
        shapes_module._checked_shapes.cache_clear()
        load_shapes(folder)
    assert calls == [1]
    broken = folder / "document.ttl"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nctocsh:Broken a sh:NodeShape ; sh:minCount -1 .\n",
                      encoding="utf-8")
    shapes_module._checked_shapes.cache_clear()
    with pytest.raises(Exception, match="malformed shapes"):
        load_shapes(folder)
    assert calls == [1, 1]
