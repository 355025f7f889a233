"""The OWL 2 RL closure: questions asked in ELI, ORG, ELI-DL and PROV terms only are answered from the
closure (and not from the asserted graph); dist/inferred.nt is canonical and trivial-free; an
inconsistency names its resources; the reasoner's time is bounded. The command's tests run with both
engines (fast, the build's, and owlrl)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg_build.cli import main
from kg_build.graph_files import read_graph
from kg_build.namespaces import ID
from kg_build.reason.closure import ENGINES, compute_closure, load_ontology

REPORT = "https://w3id.org/ctoc-kg/id/report/wg-international-cooperation/2012-10-15"
PREFIXES = """
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX eli-dl: <http://data.europa.eu/eli/eli-draft-legislation-ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""


@pytest.fixture(scope="module")
def inferred(built_dist: Path) -> Graph:
    return read_graph([built_dist / "inferred.nt"])


def answers(graph: Graph, query: str) -> set[str]:
    return {str(row[0]) for row in graph.query(PREFIXES + query)}


def test_org_memberships_come_from_the_closure(kg: Graph, inferred: Graph) -> None:
    # Paragraph 17: the Indian Ocean Commission platform is made of focal points of 科摩罗、法国（留尼汪）、
    # 马达加斯加、毛里求斯和塞舌尔.
    query = "SELECT ?member WHERE { ?m a org:Membership ; org:member ?member }"
    expected = {str(ID[f"state/{iso3}"]) for iso3 in ("COM", "FRA", "MDG", "MUS", "SYC")}
    assert answers(kg + inferred, query) == expected
    assert answers(kg, query) == set()


def test_eli_parts_of_a_work_subdivision_come_from_the_closure(kg: Graph, inferred: Graph) -> None:
    # Chapter 二 (结论和建议) holds one paragraph, 3 (工作组拟订了下列结论和建议：).
    query = 'SELECT ?part WHERE { ?part eli:is_part_of ?chapter . ?chapter a eli:WorkSubdivision ; eli:number "二" }'
    assert answers(kg + inferred, query) == {f"{REPORT}/para_3"}
    assert answers(kg, query) == set()


def test_eli_dl_participants_come_from_the_closure(kg: Graph, inferred: Graph) -> None:
    # Paragraphs 10 and 14 name the panellists who led the discussions.
    query = ("SELECT ?name WHERE { ?p a eli-dl:Participation ; eli-dl:had_participant_person ?who . "
             "?who foaf:name ?name }")
    assert answers(kg + inferred, query) == {
        "Wilson Merino Sánchez", "Antonio Segovia Arancibia", "Rosa Ana Morán Martínez", "Ignacio de Lucas",
        "Mauro Miedico", "Karen Kramer"}
    assert answers(kg, query) == set()


def test_prov_sources_of_a_recommendation_come_from_the_closure(kg: Graph, inferred: Graph) -> None:
    query = f"SELECT ?unit WHERE {{ <{REPORT}/para_37/item_a/recommendation> prov:wasDerivedFrom ?unit }}"
    assert answers(kg + inferred, query) == {f"{REPORT}/para_37/item_a"}
    assert answers(kg, query) == set()


def test_inferred_file_is_canonical_and_trivial_free(built_dist: Path, kg: Graph, inferred: Graph) -> None:
    lines = (built_dist / "inferred.nt").read_text(encoding="utf-8").splitlines()
    assert lines and lines == sorted(set(lines))
    assert not any("_:" in line.split(" ", 1)[0] or line.startswith('"') for line in lines)
    for s, p, o in inferred:
        assert isinstance(s, URIRef) and str(s).startswith(str(ID)), s
        assert not (p == OWL.sameAs and s == o)
        assert not (p == RDF.type and o in (RDFS.Resource, OWL.Thing))
        assert (s, p, o) not in kg


@pytest.mark.parametrize("engine", ENGINES)
def test_reason_command_reproduces_the_build(built_dist: Path, tmp_path: Path, engine: str) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(built_dist / "kg.nt", dist / "kg.nt")
    assert main(["reason", "--dist", str(dist), "--engine", engine]) == 0
    assert (dist / "inferred.nt").read_bytes() == (built_dist / "inferred.nt").read_bytes()


def test_pruned_input_gives_the_full_closure(kg: Graph) -> None:
    """Leaving out triples whose predicate the ontology never mentions changes nothing in owlrl's result."""
    ontology = load_ontology()
    pruned = compute_closure(kg, ontology, engine="owlrl")
    full = compute_closure(kg, ontology, engine="owlrl", prune=False)
    assert pruned.input_triples < full.input_triples
    assert set(pruned.inferred) == set(full.inferred)
    assert pruned.inconsistencies == full.inconsistencies == []


@pytest.mark.parametrize("engine", ENGINES)
def test_disjointness_clash_is_an_error_naming_the_resource(
    built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    clash = f"<{REPORT}/para_17> <{RDF.type}> <https://w3id.org/ctoc-kg/ontology#State> .\n"
    (dist / "kg.nt").write_text((built_dist / "kg.nt").read_text(encoding="utf-8") + clash, encoding="utf-8")
    assert main(["reason", "--dist", str(dist), "--engine", engine]) == 1
    err = capsys.readouterr().err
    assert "Disjoint classes" in err and f"{REPORT}/para_17" in err
    assert not (dist / "inferred.nt").exists()
    assert main(["validate", "--dist", str(dist), "--format", "json"]) == 1
    assert '"check": "reasoner:owl-rl"' in capsys.readouterr().out


@pytest.mark.parametrize("engine", ENGINES)
def test_reasoning_time_is_bounded(
    built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(built_dist / "kg.nt", dist / "kg.nt")
    assert main(["reason", "--dist", str(dist), "--timeout", "0.001", "--engine", engine]) == 2
    assert "did not finish" in capsys.readouterr().err
